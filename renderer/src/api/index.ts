// Minimal JSON API client, typed from the OpenAPI schema (see ./types.ts). Auth relies on the
// httpOnly session cookie set by the server, so requests are same-origin with credentials and no
// token is stored client-side.
import { fieldIssueText } from './problem-text';
import type { ApiBody, ApiMethod, ApiPath, ApiPathParams, ApiQuery, ApiResponse } from './types';

export type * from './types';

export interface ProblemFieldError {
  path: string | Array<string | number>;
  message: string;
  /** zod's issue code or ours; translated by fieldIssueText. */
  code?: string;
  params?: Record<string, unknown>;
}

/** RFC 9457 problem details as returned by the OmniStream API. */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  /** Machine-readable reason, translated by problemCodeText (see errors.ts errorMessage). */
  code?: string;
  detail?: string;
  errors?: ProblemFieldError[];
}

export class ApiError extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  /** The problem's code: a specific one (email_taken, window_closed…) or the status's (not_found…). */
  readonly code: string | undefined;
  /** Field path (without a leading "body.") → message, in the UI's language where the code is known. */
  readonly fieldErrors: Record<string, string>;
  /** The whole problem, extension members included (e.g. login's `organizations`). */
  readonly problem: ProblemDetails & Record<string, unknown>;

  constructor(status: number, problem: ProblemDetails = {}) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.type = problem.type ?? 'about:blank';
    this.title = problem.title ?? '';
    this.detail = problem.detail;
    this.code = problem.code;
    this.fieldErrors = toFieldErrors(problem.errors);
    this.problem = problem as ProblemDetails & Record<string, unknown>;
  }

  /** True when the request never got an HTTP response (offline, server down, CORS...). */
  get isNetworkError(): boolean {
    return this.status === 0;
  }
}

export function normalizeFieldPath(path: ProblemFieldError['path']): string {
  const joined = Array.isArray(path) ? path.join('.') : String(path);
  return joined.replace(/^body\./, '');
}

function toFieldErrors(errors: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (!Array.isArray(errors)) return result;
  for (const entry of errors) {
    if (!entry || typeof entry !== 'object') continue;
    const { path, message, code, params } = entry as Partial<ProblemFieldError>;
    if (path === undefined || path === null || typeof message !== 'string') continue;
    const key = normalizeFieldPath(path);
    if (!(key in result)) result[key] = fieldIssueText({ message, code, params }); // keep the first message per field
  }
  return result;
}

async function readBody(response: Response): Promise<unknown> {
  if (response.status === 204 || response.status === 205) return undefined;
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Dispatched on window when an API call answers 401 outside the auth endpoints. */
export const UNAUTHORIZED_EVENT = 'omnistream:unauthorized';

/** The one fetch behind callApi; not exported, so every call goes through the schema's types. */
async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
  const init: RequestInit = { method, credentials: 'same-origin', headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }

  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (cause) {
    const error = new ApiError(0, { title: 'Network error', detail: cause instanceof Error ? cause.message : undefined });
    throw error;
  }

  const payload = await readBody(response);
  if (response.status === 401 && !path.startsWith('/api/v1/auth/')) {
    // The session ended (expired, logged out elsewhere): let the app send the user to the sign-in page.
    window.dispatchEvent(new CustomEvent(UNAUTHORIZED_EVENT));
  }
  if (!response.ok) {
    const problem: ProblemDetails = payload && typeof payload === 'object' ? (payload as ProblemDetails) : { title: response.statusText };
    throw new ApiError(response.status, problem);
  }
  return payload as T;
}

type Defined<T> = [T] extends [never] ? false : true;
/** True when an object type has no required keys. */
type AllOptional<T> = Record<never, never> extends T ? true : false;

/** What a call of an operation needs: its path parameters, query and body, as the schema says. */
export type CallOptions<P extends ApiPath, M extends ApiMethod<P>> = (Defined<ApiPathParams<P, M>> extends true
  ? { path: ApiPathParams<P, M> }
  : { path?: never }) &
  (Defined<ApiQuery<P, M>> extends true
    ? AllOptional<ApiQuery<P, M>> extends true
      ? { query?: ApiQuery<P, M> }
      : { query: ApiQuery<P, M> }
    : { query?: never }) &
  (Defined<ApiBody<P, M>> extends true ? { body: ApiBody<P, M> } : { body?: never });

type CallArgs<P extends ApiPath, M extends ApiMethod<P>> =
  AllOptional<CallOptions<P, M>> extends true ? [options?: CallOptions<P, M>] : [options: CallOptions<P, M>];

type LooseOptions = { path?: Record<string, string | number>; query?: Record<string, unknown> };

/**
 * The URL of an operation: `{name}` placeholders filled in (encoded), the query appended without
 * empty values (lists comma-separated).
 */
export function apiUrl<P extends ApiPath, M extends ApiMethod<P> = ApiMethod<P>>(path: P, ...[options]: CallArgs<P, M>): string {
  const { path: params, query } = (options ?? {}) as LooseOptions;
  const url = path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined) throw new Error(`${path}: no value for {${name}}`);
    return encodeURIComponent(String(value));
  });
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    search.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  const text = search.toString();
  return text ? `${url}?${text}` : url;
}

/**
 * Calls one API operation, typed from the OpenAPI schema: the path template and method decide the
 * path parameters, query, body and result. Rejects with an ApiError (status 0 when there was no response).
 *
 *   callApi('patch', '/api/v1/conversations/{conversationId}/status', { path: { conversationId }, body: { status } })
 */
export function callApi<P extends ApiPath, M extends ApiMethod<P>>(
  method: M,
  path: P,
  ...args: CallArgs<P, M>
): Promise<ApiResponse<P, M>> {
  const body = (args[0] as { body?: unknown } | undefined)?.body;
  return request<ApiResponse<P, M>>(method.toUpperCase(), apiUrl<P, M>(path, ...args), body);
}

// ---- Auth endpoints --------------------------------------------------------

export type Session = ApiResponse<'/api/v1/auth/me', 'get'>;
export type User = Session['user'];
export type Tenant = Session['tenant'];
export type LoginInput = ApiBody<'/api/v1/auth/login', 'post'>;
export type RegisterInput = ApiBody<'/api/v1/auth/register', 'post'>;

export const authApi = {
  login: (body: LoginInput) => callApi('post', '/api/v1/auth/login', { body }),
  register: (body: RegisterInput) => callApi('post', '/api/v1/auth/register', { body }),
  me: () => callApi('get', '/api/v1/auth/me'),
  logout: () => callApi('post', '/api/v1/auth/logout'),
};
