// Minimal JSON API client. Auth relies on the httpOnly session cookie set by the server,
// so requests are same-origin with credentials and no token is stored client-side.

export interface ProblemFieldError {
  path: string | Array<string | number>;
  message: string;
}

/** RFC 9457 problem details as returned by the OmniStream API. */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: ProblemFieldError[];
}

export class ApiError extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  /** Field path (without a leading "body.") → message. */
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
    const { path, message } = entry as Partial<ProblemFieldError>;
    if (path === undefined || path === null || typeof message !== 'string') continue;
    const key = normalizeFieldPath(path);
    if (!(key in result)) result[key] = message; // keep the first message per field
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

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
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

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, body),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, body),
  delete: <T>(path: string) => request<T>('DELETE', path),
};

// ---- Auth endpoints --------------------------------------------------------

export interface Role {
  id: string;
  name: string;
}

export interface User {
  id: string;
  name: string;
  email: string;
  status: string;
  online: boolean;
  role: Role;
  tenantId: string;
  createdAt: string;
}

export interface Tenant {
  id: string;
  name: string;
  slug: string;
  timezone: string;
  status: string;
  createdAt: string;
}

export interface Session {
  user: User;
  tenant: Tenant;
  permissions: string[];
  /** The super-admin impersonating this user, if any. */
  impersonatedBy?: string | null;
}

export interface LoginInput {
  email: string;
  password: string;
  /** Which organization, when the email and password open accounts in several (the 409 lists them). */
  organizationId?: string;
}

export interface RegisterInput {
  organizationName: string;
  name: string;
  email: string;
  password: string;
}

export const authApi = {
  login: (input: LoginInput) => api.post<{ token: string; user: User }>('/api/v1/auth/login', input),
  register: (input: RegisterInput) => api.post<{ token: string; user: User; tenant: Tenant }>('/api/v1/auth/register', input),
  me: () => api.get<Session>('/api/v1/auth/me'),
  logout: () => api.post<void>('/api/v1/auth/logout'),
};
