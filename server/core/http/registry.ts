// The route registry (DESIGN rule 1): a route is declared once, with its schemas and access;
// the registry mounts it, authenticates, checks the permission, validates input, and the
// OpenAPI document is generated from the same declarations.
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import type { Ctx, OperatorCtx, Services, SuperAdminCtx, TenantCtx } from '../context.js';
import type { Permission } from '../permissions.js';
import type { Authenticator } from '../auth/authenticate.js';
import { HttpError, badRequest, forbidden, unauthorized, zodFieldErrors } from './errors.js';
import { lazy } from '../lazy.js';

/** multer, imported by the first upload. */
const loadMulter = lazy(async () => (await import('multer')).default);

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who may call: anyone, any signed-in tenant user (permission null), a tenant permission, or a super-admin. */
export type PublicAccess = { kind: 'public' };
export type TenantAccess = { kind: 'tenant'; permission: Permission | null };
export type SuperAdminAccess = { kind: 'super-admin' };
/** Appliance-wide operations: a super-admin, or the desktop window on this PC (core/auth/operator.ts). */
export type OperatorAccess = { kind: 'operator' };
export type Access = PublicAccess | TenantAccess | SuperAdminAccess | OperatorAccess;

export const access = {
  public: { kind: 'public' } as PublicAccess,
  signedIn: { kind: 'tenant', permission: null } as TenantAccess,
  tenant: (permission: Permission): TenantAccess => ({ kind: 'tenant', permission }),
  superAdmin: { kind: 'super-admin' } as SuperAdminAccess,
  operator: { kind: 'operator' } as OperatorAccess,
};

type CtxFor<A extends Access> = A extends { kind: 'tenant' }
  ? TenantCtx
  : A extends { kind: 'super-admin' }
    ? SuperAdminCtx
    : A extends { kind: 'operator' }
      ? OperatorCtx
      : Ctx;
type Infer<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface UploadedFile {
  buffer: Buffer;
  originalname: string;
  mimetype: string;
  size: number;
}

// Runs multer for one file field, turning its errors into problem details that name the field.
async function receiveUpload(req: Request, res: Response, spec: { field: string; maxBytes: number }): Promise<UploadedFile> {
  if (!req.is('multipart/form-data')) {
    throw new HttpError(415, 'Send the file as multipart/form-data', { errors: [{ path: spec.field, message: 'Required' }] });
  }
  const multer = await loadMulter();
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: spec.maxBytes, files: 1 } }).single(spec.field);
  return new Promise((resolve, reject) => {
    upload(req, res, (err: unknown) => {
      if (err instanceof multer.MulterError) {
        if (err.code === 'LIMIT_FILE_SIZE')
          return reject(
            new HttpError(413, `The file is larger than ${Math.round(spec.maxBytes / 1024 / 1024)} MB`, {
              errors: [{ path: spec.field, message: 'Too large' }],
            }),
          );
        return reject(badRequest(err.message, [{ path: err.field ?? spec.field, message: err.message }]));
      }
      if (err) return reject(err);
      if (!req.file) return reject(badRequest('No file was sent', [{ path: spec.field, message: 'Required' }]));
      resolve(req.file);
    });
  });
}

/** A handler may return a body (sent with the route's status) or a Reply to choose the status itself. */
export class Reply {
  constructor(
    readonly status: number,
    readonly body?: unknown,
  ) {}
}

export interface RouteDef<
  A extends Access = Access,
  P extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
> {
  method: Method;
  /** OpenAPI-style path, e.g. /api/v1/agents/{agentId}. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  access: A;
  params?: P;
  query?: Q;
  body?: B;
  response?: z.ZodType;
  /** A multipart/form-data upload: the file field and its size limit; other form fields go through `body`. */
  upload?: { field: string; maxBytes: number };
  /** Success status; 204 sends no body. */
  status?: number;
  /** Runs after the access check and before the body or upload is read: refuse early (e.g. a feature not configured). */
  precheck?(ctx: CtxFor<A>): void | Promise<void>;
  /** Extra middleware run before authentication (rate limits). */
  before?: RequestHandler[];
  /**
   * The handler reads the request body itself (after it has checked who is sending it): the
   * server's JSON parser leaves this route's body unread.
   */
  ownBody?: boolean;
  /**
   * Served ahead of the middleware browsers and API clients need (security headers, cookies, the
   * log line per request), with a JSON parser of its own: for Meta's webhooks, which come in bursts
   * and are retried when not acknowledged quickly. Errors still become problem details and are logged.
   */
  ingress?: boolean;
  handler(input: {
    ctx: CtxFor<A>;
    params: Infer<P>;
    query: Infer<Q>;
    body: Infer<B>;
    file?: UploadedFile;
    req: Request;
    res: Response;
  }): Promise<unknown>;
}

// The loose shape routes are stored in once their types have been checked by defineRoute.
export type AnyRoute = RouteDef<Access, z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>;

export function defineRoute<
  A extends Access,
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(def: RouteDef<A, P, Q, B>): AnyRoute {
  return def as unknown as AnyRoute;
}

const toExpressPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

function parse(schema: z.ZodType | undefined, value: unknown, where: 'params' | 'query' | 'body'): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (result.success) return result.data;
  throw badRequest(
    `The request ${where === 'body' ? 'body' : where === 'query' ? 'query string' : 'path'} is not valid`,
    zodFieldErrors(result.error, where === 'body' ? '' : where),
  );
}

/**
 * In tests (VALIDATE_RESPONSES), every success response is checked against the route's declared
 * schema, as a client would read it (after JSON): the OpenAPI document cannot promise what the code
 * does not send.
 */
function checkResponse(route: AnyRoute, payload: unknown): void {
  const result = route.response!.safeParse(JSON.parse(JSON.stringify(payload ?? null)));
  if (result.success) return;
  throw new HttpError(500, `The response of ${route.method.toUpperCase()} ${route.path} does not match its declared schema`, {
    errors: zodFieldErrors(result.error, 'response'),
  });
}

/** One router for these routes; `common` middleware runs before each route's own (and only for them). */
export function mountRoutes(
  routes: AnyRoute[],
  services: Services,
  auth: Authenticator,
  common: RequestHandler[] = [],
  options: { validateResponses?: boolean } = {},
): Router {
  const router = Router();
  for (const route of routes) {
    const handler: RequestHandler = async (req, res) => {
      const ctx: Ctx = { ...services, requestId: String(req.id), ip: req.ip ?? null, principal: null };
      if (route.access.kind === 'operator') {
        const principal = await auth.authenticateOperator(req, services.config.OMNISTREAM_OPERATOR_KEY);
        if (!principal)
          throw unauthorized('This is an operator operation: sign in as a super-admin, or use the desktop app on this computer');
        ctx.principal = principal;
      } else if (route.access.kind !== 'public') {
        const principal = await auth.authenticate(req, route.access.kind);
        if (!principal) throw unauthorized();
        ctx.principal = principal;
        if (route.access.kind === 'tenant') {
          if (principal.kind !== 'user') throw unauthorized();
          const needed = route.access.permission;
          if (needed && !principal.permissions.has(needed)) throw forbidden(`This needs the "${needed}" permission`);
          (ctx as TenantCtx).tenantId = principal.tenantId;
          req.log = req.log?.child({ tenantId: principal.tenantId, userId: principal.userId });
        }
      }
      await route.precheck?.(ctx as never);
      const params = parse(route.params, req.params, 'params');
      const query = parse(route.query, req.query, 'query');
      const file = route.upload ? await receiveUpload(req, res, route.upload) : undefined;
      const body = parse(route.body, req.body, 'body');
      const result = await route.handler({ ctx: ctx as never, params, query, body, file, req, res } as never);
      if (res.headersSent) return;
      const status = result instanceof Reply ? result.status : (route.status ?? 200);
      const payload = result instanceof Reply ? result.body : result;
      if (options.validateResponses && route.response && status < 300 && status !== 204) checkResponse(route, payload);
      if (status === 204 || payload === undefined) res.status(status).end();
      else res.status(status).json(payload);
    };
    router[route.method](toExpressPath(route.path), ...common, ...(route.before ?? []), handler);
  }
  return router;
}
