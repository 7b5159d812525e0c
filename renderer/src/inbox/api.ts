// Client for the inbox endpoints (conversations, messages, notes, contacts, media, search). The
// types are the server's, from the OpenAPI schema (../api/types.ts).
import { ApiError, callApi, type ApiBody, type ApiItem, type ApiQuery, type ApiResponse, type ProblemDetails } from '../api';

export type Conversation = ApiResponse<'/api/v1/conversations/{conversationId}', 'get'>;
export type Channel = Conversation['channel'];
export const CHANNELS: Channel[] = ['whatsapp', 'messenger', 'instagram', 'email'];
export type ConversationStatus = Conversation['status'];
export const CONVERSATION_STATUSES: ConversationStatus[] = ['open', 'pending', 'resolved', 'expired'];
export type Priority = Conversation['priority'];
export type ConversationSla = NonNullable<Conversation['sla']>;
export type ContactRef = Conversation['contact'];

/** A page of a cursor-paginated list: `?limit=&cursor=` → `{data, nextCursor}`. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

type ApiMessage = ApiItem<'/api/v1/conversations/{conversationId}/messages', 'get'>;
export type DeliveryStatus = ApiMessage['status'];

export interface MediaContent {
  mediaId?: string;
  mimeType?: string;
  filename?: string;
  caption?: string;
  voice?: boolean;
}

/**
 * What a message carries besides its text, by type. The API declares `content` as an open object
 * (its shape depends on the message type), so this reading of it is the UI's.
 */
export interface MessageContent {
  media?: MediaContent;
  location?: { latitude: number; longitude: number; name?: string; address?: string };
  contacts?: { name: string; phones: string[]; emails?: string[] }[];
  interactive?: { kind: string; id: string; title: string; description?: string };
  reaction?: { messageExternalId: string; emoji: string };
  template?: { name: string; language: string };
  buttons?: { id: string; title: string }[];
  unsupported?: { reason: string };
}

export type Message = Omit<ApiMessage, 'content'> & { content: MessageContent };

export type Note = ApiResponse<'/api/v1/conversations/{conversationId}/notes', 'post'>;
export type Contact = ApiResponse<'/api/v1/contacts/{contactId}', 'get'>;
export type ContactPatch = ApiBody<'/api/v1/contacts/{contactId}', 'patch'>;
export type Agent = ApiItem<'/api/v1/agents', 'get'>;
export type ActivityLog = ApiItem<'/api/v1/activity-logs', 'get'>;
export type SearchHit = ApiItem<'/api/v1/messages/search', 'get'>;
export type UploadedMedia = ApiResponse<'/api/v1/media', 'post'>;
export type Division = ApiItem<'/api/v1/divisions', 'get'>;

/** A reply as the composer and the outbox build it: text, or an uploaded file with an optional caption. */
export type SendInput =
  | { type: 'text'; text: string; replyToId?: string }
  | { type: 'image' | 'video' | 'audio' | 'document'; mediaId: string; caption?: string; replyToId?: string };
/** Always with a clientMessageId, so a resend after a lost response is the same message. */
export type SendBody = SendInput & { clientMessageId: string };
// The outbox's bodies are ones the send operation takes.
type _SendBodyIsAccepted = SendBody extends ApiBody<'/api/v1/conversations/{conversationId}/messages', 'post'> ? true : never;
const _sendBodyIsAccepted: _SendBodyIsAccepted = true;
void _sendBodyIsAccepted;

export type ConversationQuery = ApiQuery<'/api/v1/conversations', 'get'>;
export type ConversationFilters = Pick<ConversationQuery, 'divisionId' | 'assignee' | 'status' | 'channel' | 'tag'> & { unread?: boolean };

export const inboxApi = {
  conversations: (filters: ConversationFilters, cursor?: string | null, limit = 30) =>
    callApi('get', '/api/v1/conversations', {
      query: { ...filters, limit, cursor: cursor ?? undefined, unread: filters.unread ? 'true' : undefined },
    }),
  conversation: (conversationId: string) => callApi('get', '/api/v1/conversations/{conversationId}', { path: { conversationId } }),
  assign: (conversationId: string, assigneeId: string | null) =>
    callApi('patch', '/api/v1/conversations/{conversationId}/assign', { path: { conversationId }, body: { assigneeId } }),
  setStatus: (conversationId: string, status: ConversationStatus) =>
    callApi('patch', '/api/v1/conversations/{conversationId}/status', { path: { conversationId }, body: { status } }),
  setTags: (conversationId: string, change: { add?: string[]; remove?: string[] }) =>
    callApi('patch', '/api/v1/conversations/{conversationId}/tags', { path: { conversationId }, body: change }),
  markRead: (conversationId: string) => callApi('post', '/api/v1/conversations/{conversationId}/read', { path: { conversationId } }),
  takeover: (conversationId: string, reason?: string) =>
    callApi('post', '/api/v1/conversations/{conversationId}/takeover', { path: { conversationId }, body: reason ? { reason } : {} }),

  messages: async (conversationId: string, cursor?: string | null, limit = 50): Promise<Page<Message>> =>
    (await callApi('get', '/api/v1/conversations/{conversationId}/messages', {
      path: { conversationId },
      query: { limit, cursor: cursor ?? undefined },
    })) as Page<Message>,
  send: async (conversationId: string, body: SendBody): Promise<Message> =>
    (await callApi('post', '/api/v1/conversations/{conversationId}/messages', { path: { conversationId }, body })) as Message,

  notes: (conversationId: string) =>
    callApi('get', '/api/v1/conversations/{conversationId}/notes', { path: { conversationId }, query: { limit: 200 } }),
  addNote: (conversationId: string, body: string) =>
    callApi('post', '/api/v1/conversations/{conversationId}/notes', { path: { conversationId }, body: { body } }),
  editNote: (conversationId: string, noteId: string, body: string) =>
    callApi('patch', '/api/v1/conversations/{conversationId}/notes/{noteId}', { path: { conversationId, noteId }, body: { body } }),
  deleteNote: (conversationId: string, noteId: string) =>
    callApi('delete', '/api/v1/conversations/{conversationId}/notes/{noteId}', { path: { conversationId, noteId } }),

  contacts: (search: string, cursor?: string | null, limit = 40) =>
    callApi('get', '/api/v1/contacts', { query: { limit, cursor: cursor ?? undefined, search: search.trim() || undefined } }),
  contact: (contactId: string) => callApi('get', '/api/v1/contacts/{contactId}', { path: { contactId } }),
  updateContact: (contactId: string, patch: ContactPatch) =>
    callApi('patch', '/api/v1/contacts/{contactId}', { path: { contactId }, body: patch }),
  /** Merges `otherId` into `id`: its identities and conversations move here; `otherId` is removed. */
  mergeContact: (contactId: string, otherId: string) =>
    callApi('post', '/api/v1/contacts/{contactId}/merge', { path: { contactId }, body: { contactId: otherId } }),
  contactConversations: (contactId: string) =>
    callApi('get', '/api/v1/contacts/{contactId}/conversations', { path: { contactId }, query: { limit: 50 } }),

  agents: () => callApi('get', '/api/v1/agents', { query: { limit: 200 } }),
  divisions: () => callApi('get', '/api/v1/divisions', { query: { limit: 200 } }),
  setOnline: (agentId: string, online: boolean) =>
    callApi('patch', '/api/v1/agents/{agentId}/status', { path: { agentId }, body: { online } }),
  activity: (conversationId: string) => callApi('get', '/api/v1/activity-logs', { query: { limit: 100, targetId: conversationId } }),

  search: (q: string, cursor?: string | null, limit = 20) =>
    callApi('get', '/api/v1/messages/search', { query: { q, limit, cursor: cursor ?? undefined } }),
};

/**
 * Uploads a file with progress (fetch cannot report upload progress). Resolves with the stored media;
 * rejects with an ApiError (status 0 when the server could not be reached).
 */
export function uploadMedia(file: File, onProgress: (fraction: number) => void, signal?: AbortSignal): Promise<UploadedMedia> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/media');
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json, application/problem+json');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      let payload: unknown;
      try {
        payload = JSON.parse(xhr.responseText);
      } catch {
        payload = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(payload as UploadedMedia);
      } else {
        reject(new ApiError(xhr.status, (payload as ProblemDetails) ?? { title: xhr.statusText }));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, { title: 'Network error' }));
    xhr.onabort = () => reject(new ApiError(0, { title: 'Aborted' }));
    signal?.addEventListener('abort', () => xhr.abort());
    const form = new FormData();
    form.append('file', file);
    xhr.send(form);
  });
}

/** A new idempotency key for a send; kept with the outbox entry so retries never duplicate. */
export function newClientMessageId(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // crypto.randomUUID needs a secure context; LAN browsers on plain http fall back to getRandomValues.
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
