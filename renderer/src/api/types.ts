// Types of the API's operations, read from the generated OpenAPI types (schema.d.ts, from the
// server's zod schemas by `npm run openapi:write`). Name a request or response by its path and
// method instead of copying its shape:
//
//   type Conversation = ApiResponse<'/api/v1/conversations/{conversationId}', 'get'>;
//   type NewDivision = ApiBody<'/api/v1/divisions', 'post'>;
//
// `callApi` (./index.ts) uses the same types, so a call's path, parameters, body and result cannot
// drift from the server.
import type { paths } from './schema';

export type { paths };

/** Every path template the API serves ('/api/v1/conversations/{conversationId}', …). */
export type ApiPath = keyof paths;

type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'patch';

/** The methods a path answers. */
export type ApiMethod<P extends ApiPath> = {
  [M in HttpMethod]: paths[P][M] extends { responses: unknown } ? M : never;
}[HttpMethod];

type Operation<P extends ApiPath, M extends ApiMethod<P>> = paths[P][M] extends infer O extends { responses: unknown } ? O : never;

type JsonContent<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;

type SuccessStatus = 200 | 201 | 202 | 204;

/** The JSON an operation answers with on success (`undefined` for 204 No Content). */
export type ApiResponse<P extends ApiPath, M extends ApiMethod<P>> = Operation<P, M>['responses'] extends infer R
  ? Extract<keyof R, SuccessStatus> extends infer S extends keyof R
    ? [S] extends [204]
      ? undefined
      : JsonContent<R[S]>
    : never
  : never;

/** The JSON request body an operation takes (`never` when it takes none or a multipart form). */
export type ApiBody<P extends ApiPath, M extends ApiMethod<P>> =
  Operation<P, M> extends { requestBody?: infer B } ? JsonContent<NonNullable<B>> : never;

/** An operation's query parameters (`never` when it has none). */
export type ApiQuery<P extends ApiPath, M extends ApiMethod<P>> =
  Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

/** An operation's path parameters, by name (`never` when the path has none). */
export type ApiPathParams<P extends ApiPath, M extends ApiMethod<P>> =
  Operation<P, M> extends { parameters: { path?: infer T } } ? NonNullable<T> : never;

/** The element type of a cursor-paginated list operation (`{data: T[], nextCursor}`). */
export type ApiItem<P extends ApiPath, M extends ApiMethod<P>> = ApiResponse<P, M> extends { data: (infer Item)[] } ? Item : never;
