// Multipart uploads and CSV downloads for API tests (the Api client speaks JSON).
import assert from 'node:assert/strict';
import type { Api } from './http.js';

function auth(api: Api): Record<string, string> {
  if (api.options.token) return { authorization: `Bearer ${api.options.token}` };
  if (api.options.apiKey) return { 'x-api-key': api.options.apiKey };
  return {};
}

/** POSTs a file (field `file`) and form fields; answers the status and the parsed JSON. */
export async function uploadFile(
  api: Api,
  path: string,
  name: string,
  content: string,
  fields: Record<string, string> = {},
  type = 'text/csv',
) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set('file', new Blob([content], { type }), name);
  const res = await fetch(api.baseUrl + path, { method: 'POST', headers: auth(api), body: form });
  const text = await res.text();
  assert.notEqual(res.status, 500, text);
  return {
    status: res.status,
    body: text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text,
    headers: res.headers,
  };
}

/** GETs a CSV: status, headers and the text. */
export async function downloadText(api: Api, path: string) {
  const res = await fetch(api.baseUrl + path, { headers: auth(api) });
  const text = await res.text();
  assert.notEqual(res.status, 500, text);
  return { status: res.status, text, headers: res.headers };
}
