// Client for the contacts' own operations: create, CSV import (preview, then import) and export,
// duplicates. Reading, editing and merging are in ../inbox/api (the inbox shows contacts too).
import { ApiError, apiUrl, callApi, type ApiBody, type ApiResponse, type ProblemDetails } from '../api';

export type NewContact = ApiBody<'/api/v1/contacts', 'post'>;
export type ImportResult = ApiResponse<'/api/v1/contacts/import', 'post'>;
export type ImportRow = ImportResult['rows'][number];
export type DuplicateGroup = ApiResponse<'/api/v1/contacts/duplicates', 'get'>['data'][number];

async function postForm<T>(path: string, form: FormData): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: 'POST',
      body: form,
      credentials: 'same-origin',
      headers: { Accept: 'application/json, application/problem+json' },
    });
  } catch (cause) {
    throw new ApiError(0, { title: 'Network error', detail: cause instanceof Error ? cause.message : undefined });
  }
  const text = await response.text();
  let payload: unknown;
  try {
    payload = text ? JSON.parse(text) : undefined;
  } catch {
    payload = undefined;
  }
  if (!response.ok) throw new ApiError(response.status, (payload as ProblemDetails) ?? { title: response.statusText });
  return payload as T;
}

export const contactsApi = {
  create: (body: NewContact) => callApi('post', '/api/v1/contacts', { body }),
  importCsv: (file: File, dryRun: boolean) => {
    const form = new FormData();
    form.append('dryRun', String(dryRun));
    form.append('file', file);
    return postForm<ImportResult>(apiUrl('/api/v1/contacts/import'), form);
  },
  exportUrl: (tag?: string) => apiUrl('/api/v1/contacts/export', { query: { tag } }),
  duplicates: () => callApi('get', '/api/v1/contacts/duplicates').then((r) => r.data),
  list: (query: { search?: string; tag?: string; cursor?: string }) =>
    callApi('get', '/api/v1/contacts', {
      query: { limit: 40, search: query.search || undefined, tag: query.tag || undefined, cursor: query.cursor },
    }),
};
