// First start on an empty data dir: the appliance migrates the schema; then, through its own API,
// one organization, its agents and a WhatsApp account are created (passwords hashed and the
// account's credentials encrypted exactly as in production).
import assert from 'node:assert/strict';
import { HttpClient } from './load.js';
import { graphAssets } from '../../support/fake-graph.js';

export interface BenchTenant {
  tenantId: string;
  accountId: string;
  phoneNumberId: string;
  appSecret: string;
  /** The owner first, then agents; each with a session token. */
  users: { id: string; token: string; email: string }[];
}

/** The bench business's WhatsApp Business Account, and the token that manages it in the fake Graph. */
const WABA_ID = '102290129340398';
export const ACCESS_TOKEN = 'bench-access-token-abcdef';

/**
 * Connects a WhatsApp number of the bench business through the API (after granting it in the fake
 * Graph, as connecting proves ownership there); the caller checks the answer.
 */
export function connectNumber(
  http: HttpClient,
  auth: Record<string, string>,
  number: { name: string; phoneNumberId: string; appSecret: string },
): Promise<{ status: number; body: any }> {
  graphAssets.whatsapp(ACCESS_TOKEN, WABA_ID, [number.phoneNumberId]);
  return http.json(
    'POST',
    '/api/v1/integration-accounts',
    {
      channel: 'whatsapp',
      name: number.name,
      config: { phoneNumberId: number.phoneNumberId, wabaId: WABA_ID, accessToken: ACCESS_TOKEN, appSecret: number.appSecret },
    },
    auth,
  );
}

export async function createTenant(baseUrl: string, agents: number): Promise<BenchTenant> {
  const http = new HttpClient(baseUrl, 4);
  try {
    const stamp = Date.now().toString(36);
    const password = 'bench password 1';
    const reg = await http.json('POST', '/api/v1/auth/register', {
      organizationName: 'Batik Sari Bench',
      name: 'Owner Bench',
      email: `owner.${stamp}@bench.test`,
      password,
    });
    assert.equal(reg.status, 201, JSON.stringify(reg.body));
    const owner = { id: reg.body.user.id as string, token: reg.body.token as string, email: `owner.${stamp}@bench.test` };
    const auth = { authorization: `Bearer ${owner.token}` };
    const roles = await http.json('GET', '/api/v1/roles?limit=200', undefined, auth);
    const agentRole = roles.body.data.find((r: { name: string }) => r.name === 'agent');
    assert.ok(agentRole, 'the built-in agent role exists');
    const users = [owner];
    for (let i = 1; i <= agents; i++) {
      const email = `agent${i}.${stamp}@bench.test`;
      const created = await http.json('POST', '/api/v1/agents', { name: `Agent ${i}`, email, password, roleId: agentRole.id }, auth);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const login = await http.json('POST', '/api/v1/auth/login', { email, password });
      assert.equal(login.status, 200, JSON.stringify(login.body));
      users.push({ id: created.body.id, token: login.body.token, email });
    }
    const phoneNumberId = '106540352242922';
    const appSecret = 'bench-app-secret-0123456789';
    const account = await connectNumber(http, auth, { name: 'WA Bench', phoneNumberId, appSecret });
    assert.equal(account.status, 201, JSON.stringify(account.body));
    return { tenantId: reg.body.tenant.id, accountId: account.body.id, phoneNumberId, appSecret, users };
  } finally {
    http.close();
  }
}
