// Variables in quick-reply bodies: {{contact.name}}, with an optional fallback used when the value
// is empty: {{contact.name | Kak}}. Unknown names are refused when a reply is saved.

export const VARIABLES = {
  'contact.name': "The contact's name",
  'contact.first_name': "The first word of the contact's name",
  'contact.phone': "The contact's phone number",
  'contact.email': "The contact's email address",
  'agent.name': 'The name of the agent who sends the reply',
  'agent.email': 'The email address of the agent who sends the reply',
  'tenant.name': "The organization's name",
} as const;

export type VariableName = keyof typeof VARIABLES;
export type VariableValues = Partial<Record<VariableName, string | null>>;

const PATTERN = /\{\{\s*([A-Za-z_][\w.]*)\s*(?:\|\s*([^{}]*?)\s*)?\}\}/g;

const isVariable = (name: string): name is VariableName => Object.hasOwn(VARIABLES, name);

/** The variable names a body uses, in order of first use. */
export function variablesIn(body: string): string[] {
  return [...new Set([...body.matchAll(PATTERN)].map((m) => m[1]))];
}

/** Names in the body that are not variables; empty when the body is fine. */
export function unknownVariables(body: string): string[] {
  return variablesIn(body).filter((name) => !isVariable(name));
}

/** Fills the variables; an empty value takes the fallback, or becomes empty text. */
export function render(body: string, values: VariableValues): string {
  return body.replace(PATTERN, (whole, name: string, fallback: string | undefined) => {
    if (!isVariable(name)) return whole;
    const value = values[name]?.trim();
    return value ? value : (fallback ?? '');
  });
}
