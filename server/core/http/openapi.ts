// Builds the OpenAPI 3.1 document from the route registry (zod → JSON Schema 2020-12).
import { z } from 'zod';
import type { AnyRoute } from './registry.js';

type Json = Record<string, unknown>;

// Recursive schemas (automation's condition trees) come out of zod with local `$defs`; an
// OpenAPI document cannot resolve `#/$defs/…` inside a path item, so each definition is hoisted
// into `components.schemas` (deduplicated by content) and its references rewritten.
let hoisted: Record<string, Json> = {};

function hoistDefs(doc: Json): Json {
  const defs = (doc.$defs ?? {}) as Record<string, Json>;
  if (!Object.keys(defs).length && !JSON.stringify(doc).includes('"$ref":"#"')) return doc;
  const { $defs: _defs, ...root } = doc;
  const names = new Map<string, string>();
  const nameFor = (content: Json, local: string, pending: string) => {
    const text = JSON.stringify(content);
    for (const [name, existing] of Object.entries(hoisted))
      if (JSON.stringify(existing) === text.replaceAll(`#/components/schemas/${pending}"`, `#/components/schemas/${name}"`)) return name;
    const base = local.startsWith('__') ? 'Recursive' : local;
    let name = base;
    for (let n = 2; name in hoisted; n++) name = `${base}${n}`;
    hoisted[name] = content;
    return name;
  };
  // Names are reserved first so mutually recursive definitions can point at each other.
  const localNames = Object.keys(defs).map((local, i) => [local, `__pending${i}`] as const);
  for (const [local, pending] of localNames) names.set(`#/$defs/${local}`, pending);
  const rootRecursive = JSON.stringify(root).includes('"$ref":"#"');
  if (rootRecursive) names.set('#', '__pendingRoot');
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (!node || typeof node !== 'object') return node;
    const out: Json = {};
    for (const [k, v] of Object.entries(node as Json)) {
      out[k] = k === '$ref' && typeof v === 'string' && names.has(v) ? `#/components/schemas/${names.get(v)}` : rewrite(v);
    }
    return out;
  };
  const rewritten = localNames.map(([local, pending]) => [pending, rewrite(defs[local]) as Json, local] as const);
  const rewrittenRoot = rewrite(root) as Json;
  const finals = new Map<string, string>();
  if (rootRecursive) finals.set('__pendingRoot', nameFor(rewrittenRoot, '__root', '__pendingRoot'));
  for (const [pending, content, local] of rewritten) finals.set(pending, nameFor(content, local, pending));
  const settle = (node: unknown): unknown => {
    const text = JSON.stringify(node).replace(
      /#\/components\/schemas\/(__pending\w+)/g,
      (_, p: string) => `#/components/schemas/${finals.get(p)}`,
    );
    return JSON.parse(text);
  };
  for (const name of Object.keys(hoisted)) hoisted[name] = settle(hoisted[name]) as Json;
  return rootRecursive ? { $ref: `#/components/schemas/${finals.get('__pendingRoot')}` } : (settle(rewrittenRoot) as Json);
}

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): Json => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  return hoistDefs(rest);
};

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): Json[] {
  if (!schema) return [];
  const doc = jsonSchema(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(doc.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (doc.required ?? []).includes(name),
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
    schema: s,
  }));
}

const problemRef = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

export function buildOpenApi(routes: AnyRoute[], info: { version: string }): Json {
  hoisted = {};
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    const status = String(route.status ?? 200);
    const responses: Json = {
      [status]:
        status === '204'
          ? { description: 'No content' }
          : {
              description: 'Success',
              content: { 'application/json': { schema: route.response ? jsonSchema(route.response, 'output') : {} } },
            },
    };
    if (route.params || route.query || route.body) responses['400'] = problemRef('Invalid input; `errors` names each bad field');
    if (route.access.kind !== 'public') responses['401'] = problemRef('Not authenticated');
    if (route.access.kind === 'tenant' && route.access.permission)
      responses['403'] = problemRef(`Missing the ${route.access.permission} permission`);
    if (route.access.kind === 'operator')
      responses['403'] = problemRef("An organization's credentials: appliance-wide operations belong to the operator");
    if (route.params) responses['404'] = problemRef("Not found (also for another organization's ids)");
    const op: Json = {
      tags: [route.tag],
      summary: route.summary,
      operationId: `${route.method}${route.path.replace(/\{(\w+)\}/g, 'By_$1').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      responses,
    };
    if (route.description) op.description = route.description;
    if (route.upload) {
      const fields = route.body ? (jsonSchema(route.body, 'input') as { properties?: Json; required?: string[] }) : {};
      op.requestBody = {
        required: true,
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object',
              required: [route.upload.field, ...(fields.required ?? [])],
              properties: {
                [route.upload.field]: { type: 'string', format: 'binary', description: `At most ${route.upload.maxBytes} bytes` },
                ...(fields.properties ?? {}),
              },
            },
          },
        },
      };
    } else if (route.body)
      op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } };
    if (route.access.kind === 'tenant') {
      op.security = [{ bearerAuth: [] }, { apiKeyAuth: [] }, { cookieAuth: [] }];
      if (route.access.permission) op['x-permission'] = route.access.permission;
    } else if (route.access.kind === 'super-admin') {
      op.security = [{ superAdminAuth: [] }];
    } else if (route.access.kind === 'operator') {
      op.security = [{ superAdminAuth: [] }, { operatorKey: [] }];
    } else {
      op.security = [];
    }
    op['x-access'] = route.access.kind;
    (paths[route.path] ??= {})[route.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'OmniStream API',
      version: info.version,
      description:
        'Self-hosted omnichannel customer-messaging CRM. Errors are RFC 9457 problem+json; lists are cursor-paginated (`?limit=&cursor=` → `{data, nextCursor}`).',
    },
    servers: [{ url: '/' }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT or API key',
          description: 'A session token from /api/v1/auth/login, or an API key',
        },
        apiKeyAuth: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        cookieAuth: { type: 'apiKey', in: 'cookie', name: 'omnistream_token' },
        superAdminAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A token from /api/v1/super-admin/auth/login' },
        operatorKey: {
          type: 'apiKey',
          in: 'header',
          name: 'X-OmniStream-Operator-Key',
          description:
            "The desktop app's per-installation operator key, which its main process adds to its window's requests; accepted only from this computer (loopback, not forwarded by a proxy or the tunnel)",
        },
      },
      schemas: {
        ...hoisted,
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            instance: { type: 'string' },
            requestId: { type: 'string' },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                properties: { path: { type: 'string' }, message: { type: 'string' } },
                required: ['path', 'message'],
              },
            },
          },
        },
      },
    },
  };
}
