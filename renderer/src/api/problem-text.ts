// The server answers errors with codes (problem `code`, each field error's `code` and `params`) and
// stores failure reasons as codes; this turns them into the UI's language. The server's English
// text is the fallback for a code the catalogue does not know yet.
import i18n from 'i18next';

export interface FieldIssue {
  message: string;
  code?: string;
  params?: Record<string, unknown>;
}

const has = (key: string) => i18n.isInitialized && i18n.exists(key);
const tr = (key: string, options?: Record<string, unknown>) => i18n.t(key as never, options as never) as unknown as string;

/** The key of `fieldIssue.*` for a zod issue. */
function fieldIssueKey({ code, params = {} }: FieldIssue): string | null {
  const origin = params.origin;
  const collection = origin === 'array' || origin === 'set';
  switch (code) {
    case 'too_small':
      if (origin === 'string') return params.minimum === 1 ? 'required' : 'tooShort';
      return collection ? 'tooFewItems' : 'tooSmall';
    case 'too_big':
      if (origin === 'string') return 'tooLong';
      return collection ? 'tooManyItems' : 'tooBig';
    case 'invalid_type':
      return params.missing ? 'required' : 'invalidType';
    case 'invalid_format':
      return params.format === 'email' ? 'email' : params.format === 'url' ? 'url' : 'invalidFormat';
    case 'invalid_value':
      return 'invalidValue';
    default:
      return code ?? null;
  }
}

/** A bad field's message in the UI's language. */
export function fieldIssueText(issue: FieldIssue): string {
  const key = fieldIssueKey(issue);
  if (!key || !has(`fieldIssue.${key}`)) return issue.message;
  const p = issue.params ?? {};
  const values = Array.isArray(p.values) ? p.values.join(', ') : undefined;
  return tr(`fieldIssue.${key}`, { min: p.minimum, max: p.maximum, values });
}

/** A problem's code in the UI's language, or undefined when the catalogue has no text for it. */
export function problemCodeText(code: string | undefined): string | undefined {
  return code && has(`problems.${code}`) ? tr(`problems.${code}`) : undefined;
}

/**
 * A stored failure reason (a message's, a scheduled message's, a survey's) in the UI's language:
 * our codes (window_closed, channel_disconnected…) and the channel's numeric error codes; the
 * channel's own text otherwise.
 */
export function failureReasonText(reason: string | null | undefined, channelCode?: number | null): string | undefined {
  if (channelCode != null && has(`channelErrors.${channelCode}`)) return tr(`channelErrors.${channelCode}`);
  if (reason && has(`reasons.${reason}`)) return tr(`reasons.${reason}`);
  return reason ?? undefined;
}
