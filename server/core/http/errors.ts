// RFC 9457 problem details: every error the API answers has this shape.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ZodError } from 'zod';

export interface FieldError {
  path: string;
  message: string;
  /** Machine-readable reason the UI translates (zod's issue code, e.g. too_small, invalid_format; or ours). */
  code?: string;
  /** Values the translated message needs (minimum, maximum, format, allowed values). */
  params?: Record<string, unknown>;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  /**
   * Machine-readable: what the UI translates (en/id). A specific code (e.g. `email_taken`) when the
   * thrower gave one, else the status's (`not_found`, `validation_failed` for field errors…).
   */
  code: string;
  detail?: string;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** Throw from anywhere in a request; the error handler turns it into problem+json. */
export class HttpError extends Error {
  constructor(
    public readonly status: number,
    detail: string,
    public readonly extra: { type?: string; errors?: FieldError[]; [k: string]: unknown } = {},
  ) {
    super(detail);
  }
}

// The last argument, when given, is the problem's specific `code` (see Problem.code).
export const badRequest = (detail: string, errors?: FieldError[], code?: string) => new HttpError(400, detail, { errors, code });
export const unauthorized = (detail = 'Authentication required', code?: string) => new HttpError(401, detail, { code });
export const forbidden = (detail = 'You do not have permission to do this', code?: string) => new HttpError(403, detail, { code });
export const notFound = (what = 'Resource') => new HttpError(404, `${what} not found`);
export const conflict = (detail: string, errors?: FieldError[], code?: string) => new HttpError(409, detail, { errors, code });
export const unprocessable = (detail: string, errors?: FieldError[], code?: string) => new HttpError(422, detail, { errors, code });

/** The values of a zod issue a translated message needs (never the rejected input itself). */
function issueParams(issue: ZodError['issues'][number]): Record<string, unknown> | undefined {
  const params: Record<string, unknown> = {};
  const source = issue as unknown as Record<string, unknown>;
  for (const key of ['minimum', 'maximum', 'origin', 'format', 'expected', 'values', 'divisor', 'inclusive']) {
    const value = source[key];
    if (value === undefined) continue;
    params[key] = typeof value === 'bigint' ? Number(value) : value;
  }
  // A missing field is its own reason in the UI ("required"), not "expected string, received undefined".
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) params.missing = true;
  return Object.keys(params).length ? params : undefined;
}

export function zodFieldErrors(error: ZodError, prefix: string): FieldError[] {
  return error.issues.map((issue) => {
    const params = issueParams(issue);
    return {
      path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
      message: issue.message,
      code: issue.code,
      ...(params ? { params } : {}),
    };
  });
}

const statusCode = (status: number) => (TITLES[status] ?? 'Error').toLowerCase().replace(/[^a-z]+/g, '_');

export function problem(status: number, detail: string | undefined, extra: Partial<Problem> = {}): Problem {
  const slug = (TITLES[status] ?? 'Error').toLowerCase().replace(/[^a-z]+/g, '-');
  const { code, ...rest } = extra;
  const fallback = rest.errors?.length ? 'validation_failed' : statusCode(status);
  return {
    type: `https://omnistream.dev/problems/${slug}`,
    title: TITLES[status] ?? 'Error',
    status,
    code: code ?? fallback,
    detail,
    ...rest,
  };
}

export function sendProblem(res: Parameters<RequestHandler>[1], body: Problem): void {
  res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
}

export const notFoundHandler: RequestHandler = (req, res) => {
  sendProblem(res, problem(404, `No route for ${req.method} ${req.path}`, { instance: req.originalUrl, requestId: String(req.id ?? '') }));
};

/** Last middleware: maps known errors to problems; anything else is logged and answered as a plain 500. */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const base = { instance: req.originalUrl, requestId: String(req.id ?? '') };
  if (res.headersSent) return;
  if (err instanceof HttpError) {
    const { type, code, ...rest } = err.extra;
    const body = problem(err.status, err.message, { ...base, ...rest, ...(typeof code === 'string' ? { code } : {}) });
    if (type) body.type = type;
    if (!rest.errors) delete body.errors;
    return sendProblem(res, body);
  }
  // A unique index caught a race the service's own check missed.
  const code = err?.driverError?.code ?? err?.code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505')
    return sendProblem(res, problem(409, 'This conflicts with an existing record', { ...base, code: 'duplicate' }));
  // body-parser errors carry a status and a type.
  const status = typeof err?.status === 'number' ? err.status : typeof err?.statusCode === 'number' ? err.statusCode : 500;
  if (err?.type === 'entity.parse.failed')
    return sendProblem(
      res,
      problem(400, 'The request body is not valid JSON', {
        ...base,
        code: 'invalid_json',
        errors: [{ path: 'body', message: err.message, code: 'invalid_json' }],
      }),
    );
  if (err?.type === 'entity.too.large') return sendProblem(res, problem(413, 'The request body is too large', base));
  if (status >= 400 && status < 500) return sendProblem(res, problem(status, err.expose ? err.message : undefined, base));
  req.log?.error({ err }, 'unhandled error');
  sendProblem(res, problem(500, 'An unexpected error occurred; it has been logged', base));
};
