// Template components: the friendly shape the API takes (header, body, footer, buttons) turned into
// Meta's components, the variables a template has, and the components of a send with their values.
// Pure functions; the service and the campaigns module use them.
import type { FieldError } from '../../core/http/errors.js';
import type { TemplateComponent } from './wa-template.entity.js';

export const CATEGORIES = ['MARKETING', 'UTILITY', 'AUTHENTICATION'] as const;
export const MEDIA_FORMATS = ['IMAGE', 'VIDEO', 'DOCUMENT'] as const;
const VARIABLE = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

export interface TemplateInput {
  header?: { format: 'TEXT'; text: string; example?: string } | { format: 'IMAGE' | 'VIDEO' | 'DOCUMENT'; example?: string } | null;
  body: { text: string; examples?: string[] | Record<string, string> };
  footer?: string | null;
  buttons?: (
    | { type: 'QUICK_REPLY'; text: string }
    | { type: 'URL'; text: string; url: string; example?: string }
    | { type: 'PHONE_NUMBER'; text: string; phoneNumber: string }
  )[];
}

export interface TemplateVariable {
  /** How a send names its value: header.1, body.1…, body.<name>, button.<index>. */
  key: string;
  component: 'header' | 'body' | 'button';
  /** The placeholder's name (1, 2… or a named parameter). */
  name: string;
  /** The button's index, for URL buttons. */
  buttonIndex?: number;
  example: string | null;
}

export const namesIn = (text: string | undefined): string[] => [...(text ?? '').matchAll(VARIABLE)].map((m) => m[1]);

/** NAMED when any placeholder is not a number. */
export function parameterFormatOf(input: TemplateInput): 'POSITIONAL' | 'NAMED' {
  const all = [...namesIn(input.body.text), ...(input.header?.format === 'TEXT' ? namesIn(input.header.text) : [])];
  return all.some((n) => !/^\d+$/.test(n)) ? 'NAMED' : 'POSITIONAL';
}

/** Meta's components for a template, or the problems with the input (paths name the fields). */
export function componentsFromInput(input: TemplateInput): { components: TemplateComponent[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const components: TemplateComponent[] = [];
  const format = parameterFormatOf(input);
  const checkNames = (names: string[], path: string) => {
    if (format === 'POSITIONAL') {
      names.forEach((n, i) => {
        if (Number(n) !== i + 1)
          errors.push({ path, message: `Placeholders must be {{1}}, {{2}}… in order; found {{${n}}} at position ${i + 1}` });
      });
    } else {
      for (const n of names) {
        if (!/^[a-z_][a-z0-9_]*$/.test(n))
          errors.push({ path, message: `Named placeholders use lowercase letters, digits and _ ({{${n}}})` });
      }
      if (new Set(names).size !== names.length) errors.push({ path, message: 'A named placeholder appears twice' });
    }
  };
  if (input.header) {
    if (input.header.format === 'TEXT') {
      const names = namesIn(input.header.text);
      checkNames(names, 'header.text');
      if (names.length > 1) errors.push({ path: 'header.text', message: 'A text header has at most one placeholder' });
      const header: TemplateComponent = { type: 'HEADER', format: 'TEXT', text: input.header.text };
      if (names.length === 1) {
        if (!input.header.example) errors.push({ path: 'header.example', message: 'Meta needs an example value for the placeholder' });
        else
          header.example =
            format === 'NAMED'
              ? { header_text_named_params: [{ param_name: names[0], example: input.header.example }] }
              : { header_text: [input.header.example] };
      }
      components.push(header);
    } else {
      const header: TemplateComponent = { type: 'HEADER', format: input.header.format };
      // Meta wants an uploaded example (a handle from its upload API); a link is passed as given.
      if (input.header.example) header.example = { header_handle: [input.header.example] };
      components.push(header);
    }
  }
  const bodyNames = namesIn(input.body.text);
  checkNames(bodyNames, 'body.text');
  const body: TemplateComponent = { type: 'BODY', text: input.body.text };
  if (bodyNames.length) {
    const ex = input.body.examples;
    if (format === 'NAMED') {
      const named = ex && !Array.isArray(ex) ? ex : {};
      const missing = bodyNames.filter((n) => !named[n]);
      if (missing.length)
        errors.push({ path: 'body.examples', message: `Meta needs an example for ${missing.map((n) => `{{${n}}}`).join(', ')}` });
      body.example = { body_text_named_params: bodyNames.map((n) => ({ param_name: n, example: named[n] ?? '' })) };
    } else {
      const list = Array.isArray(ex) ? ex : [];
      if (list.length !== bodyNames.length)
        errors.push({ path: 'body.examples', message: `Give ${bodyNames.length} example value(s), one per placeholder` });
      body.example = { body_text: [list] };
    }
  }
  components.push(body);
  if (input.footer) components.push({ type: 'FOOTER', text: input.footer });
  if (input.buttons?.length) {
    const buttons: NonNullable<TemplateComponent['buttons']> = [];
    input.buttons.forEach((b, i) => {
      if (b.type === 'URL') {
        const names = namesIn(b.url);
        if (names.length > 1 || (names.length === 1 && names[0] !== '1'))
          errors.push({ path: `buttons.${i}.url`, message: 'A link may end with one {{1}} placeholder' });
        if (names.length === 1 && !b.example) errors.push({ path: `buttons.${i}.example`, message: 'Meta needs an example link' });
        buttons.push({ type: 'URL', text: b.text, url: b.url, ...(names.length && b.example ? { example: [b.example] } : {}) });
      } else if (b.type === 'PHONE_NUMBER') buttons.push({ type: 'PHONE_NUMBER', text: b.text, phone_number: b.phoneNumber });
      else buttons.push({ type: 'QUICK_REPLY', text: b.text });
    });
    components.push({ type: 'BUTTONS', buttons });
  }
  return { components, errors };
}

const find = (components: TemplateComponent[], type: string) => components.find((c) => c.type?.toUpperCase() === type);

function exampleAt(component: TemplateComponent | undefined, name: string, index: number): string | null {
  const ex = component?.example as Record<string, unknown> | undefined;
  if (!ex) return null;
  for (const key of ['body_text_named_params', 'header_text_named_params']) {
    const list = ex[key];
    if (Array.isArray(list))
      return (list.find((p: { param_name?: string }) => p?.param_name === name) as { example?: string })?.example ?? null;
  }
  const body = ex.body_text;
  if (Array.isArray(body) && Array.isArray(body[0])) return (body[0][index] as string) ?? null;
  const header = ex.header_text;
  if (Array.isArray(header)) return (header[index] as string) ?? null;
  return null;
}

/** Every value a send must give, in the order Meta takes them. */
export function variablesOf(components: TemplateComponent[]): TemplateVariable[] {
  const vars: TemplateVariable[] = [];
  const header = find(components, 'HEADER');
  if (header && (header.format ?? 'TEXT').toUpperCase() === 'TEXT') {
    namesIn(header.text).forEach((name, i) =>
      vars.push({ key: `header.${name}`, component: 'header', name, example: exampleAt(header, name, i) }),
    );
  }
  const body = find(components, 'BODY');
  namesIn(body?.text).forEach((name, i) => vars.push({ key: `body.${name}`, component: 'body', name, example: exampleAt(body, name, i) }));
  (find(components, 'BUTTONS')?.buttons ?? []).forEach((b, index) => {
    if (b.type?.toUpperCase() === 'URL' && namesIn(b.url).length)
      vars.push({ key: `button.${index}`, component: 'button', name: '1', buttonIndex: index, example: b.example?.[0] ?? null });
  });
  return vars;
}

export function mediaHeaderFormat(components: TemplateComponent[]): (typeof MEDIA_FORMATS)[number] | null {
  const format = find(components, 'HEADER')?.format?.toUpperCase();
  return (MEDIA_FORMATS as readonly string[]).includes(format ?? '') ? (format as (typeof MEDIA_FORMATS)[number]) : null;
}

/** Missing, empty and unknown values, each naming its field (`${prefix}.${key}`). */
export function checkValues(components: TemplateComponent[], values: Record<string, string>, prefix = 'variables'): FieldError[] {
  const vars = variablesOf(components);
  const keys = new Set(vars.map((v) => v.key));
  const errors: FieldError[] = [];
  for (const v of vars) {
    if (values[v.key] === undefined || String(values[v.key]).trim() === '')
      errors.push({ path: `${prefix}.${v.key}`, message: `Required: the template's ${v.component} placeholder {{${v.name}}}` });
  }
  for (const key of Object.keys(values)) {
    if (!keys.has(key))
      errors.push({
        path: `${prefix}.${key}`,
        message: `The template has no placeholder ${key}; it has ${[...keys].join(', ') || 'none'}`,
      });
  }
  return errors;
}

/** The `components` of a template send: header (text or media link), body and URL-button parameters. */
export function sendComponents(
  components: TemplateComponent[],
  parameterFormat: string,
  values: Record<string, string>,
  headerMediaUrl: string | null,
): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const named = parameterFormat === 'NAMED';
  const param = (v: TemplateVariable) => ({ type: 'text', ...(named ? { parameter_name: v.name } : {}), text: values[v.key] ?? '' });
  const vars = variablesOf(components);
  const media = mediaHeaderFormat(components);
  if (media && headerMediaUrl) {
    const kind = media.toLowerCase();
    out.push({ type: 'header', parameters: [{ type: kind, [kind]: { link: headerMediaUrl } }] });
  }
  const headerVars = vars.filter((v) => v.component === 'header');
  if (headerVars.length) out.push({ type: 'header', parameters: headerVars.map(param) });
  const bodyVars = vars.filter((v) => v.component === 'body');
  if (bodyVars.length) out.push({ type: 'body', parameters: bodyVars.map(param) });
  for (const v of vars.filter((x) => x.component === 'button')) {
    out.push({ type: 'button', sub_type: 'url', index: String(v.buttonIndex), parameters: [{ type: 'text', text: values[v.key] ?? '' }] });
  }
  return out;
}

/** The body text with its placeholders filled: the message's text in the inbox. */
export function renderBody(components: TemplateComponent[], values: Record<string, string>): string {
  const body = find(components, 'BODY')?.text ?? '';
  return body.replace(VARIABLE, (_m, name: string) => values[`body.${name}`] ?? `{{${name}}}`);
}
