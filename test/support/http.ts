// A small HTTP client for API tests. Any 500 fails the test at once: no input may cause one.
import assert from 'node:assert/strict';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface ClientOptions {
  token?: string;
  apiKey?: string;
  cookie?: string;
  headers?: Record<string, string>;
}

export class Api {
  constructor(
    readonly baseUrl: string,
    readonly options: ClientOptions = {},
  ) {}

  as(options: ClientOptions): Api {
    return new Api(this.baseUrl, options);
  }

  async request<T = any>(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...this.options.headers, ...extraHeaders };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (this.options.apiKey) headers['x-api-key'] = this.options.apiKey;
    if (this.options.cookie) headers.cookie = this.options.cookie;
    let payload: string | undefined;
    if (body !== undefined) {
      headers['content-type'] ??= 'application/json';
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const res = await fetch(this.baseUrl + path, { method, headers, body: payload, redirect: 'manual' });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    const parsed = text && type.includes('json') ? JSON.parse(text) : text;
    assert.notEqual(res.status, 500, `${method} ${path} answered 500: ${text}`);
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get = <T = any>(path: string) => this.request<T>('GET', path);
  post = <T = any>(path: string, body?: unknown) => this.request<T>('POST', path, body ?? {});
  patch = <T = any>(path: string, body?: unknown) => this.request<T>('PATCH', path, body ?? {});
  delete = <T = any>(path: string) => this.request<T>('DELETE', path);
  put = <T = any>(path: string, body?: unknown) => this.request<T>('PUT', path, body ?? {});
}

let counter = 0;
export const uniqueEmail = (label = 'user') => `${label}.${Date.now().toString(36)}.${++counter}@example.test`;

export interface Tenant {
  token: string;
  api: Api;
  user: any;
  tenant: any;
  email: string;
  password: string;
}

/** Registers a fresh organization and returns a client signed in as its owner. */
export async function registerTenant(api: Api, org = 'Toko Test'): Promise<Tenant> {
  const email = uniqueEmail('owner');
  const password = 'correct horse battery';
  const res = await api.post('/api/v1/auth/register', { organizationName: org, name: `Owner ${org}`, email, password });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { token: res.body.token, api: api.as({ token: res.body.token }), user: res.body.user, tenant: res.body.tenant, email, password };
}

export async function roleId(api: Api, name: string): Promise<string> {
  const res = await api.get('/api/v1/roles?limit=200');
  const role = res.body.data.find((r: any) => r.name === name);
  assert.ok(role, `role ${name} exists`);
  return role.id;
}

/** Creates an agent with the given built-in role and returns a client signed in as them. */
export async function createAgent(owner: Api, role = 'agent'): Promise<{ api: Api; agent: any; email: string; password: string }> {
  const email = uniqueEmail(role);
  const password = 'agent password 1';
  const created = await owner.post('/api/v1/agents', { name: `An ${role}`, email, password, roleId: await roleId(owner, role) });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const login = await owner.as({}).post('/api/v1/auth/login', { email, password });
  assert.equal(login.status, 200);
  return { api: owner.as({ token: login.body.token }), agent: created.body, email, password };
}

export function assertProblem(res: ApiResponse, status: number, fields: string[] = []): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
  assert.equal(res.body.status, status);
  assert.equal(typeof res.body.title, 'string');
  assert.equal(typeof res.body.type, 'string');
  for (const field of fields) {
    assert.ok(
      res.body.errors?.some((e: any) => e.path === field),
      `error names field "${field}": ${JSON.stringify(res.body.errors)}`,
    );
  }
}

/** A client signed in as the test server's super-admin (startServer's SUPER_ADMIN_EMAIL/PASSWORD): an operator of the appliance. */
export async function superAdmin(api: Api): Promise<Api> {
  const res = await api.as({}).post('/api/v1/super-admin/auth/login', { email: 'root@omnistream.test', password: 'super-secret-password' });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return api.as({ token: res.body.token });
}

/** The operator key tests give the server (OMNISTREAM_OPERATOR_KEY), as the desktop shell would. */
export const TEST_OPERATOR_KEY = 'test-operator-key-0123456789abcdef0123456789abcdef';

/** A client acting as the desktop window on this computer: it sends the operator key, from loopback. */
export function desktopWindow(api: Api, key = TEST_OPERATOR_KEY): Api {
  return api.as({ headers: { 'x-omnistream-operator-key': key } });
}
