// Typed client for the inbox endpoints (conversations, messages, notes, contacts, media, search).
import { ApiError, api, type ProblemDetails } from '../api';

export type Channel = 'whatsapp' | 'messenger' | 'instagram' | 'email';
export const CHANNELS: Channel[] = ['whatsapp', 'messenger', 'instagram', 'email'];
export type ConversationStatus = 'open' | 'pending' | 'resolved' | 'expired';
export const CONVERSATION_STATUSES: ConversationStatus[] = ['open', 'pending', 'resolved', 'expired'];
export type Priority = 'low' | 'normal' | 'high' | 'urgent';
export type DeliveryStatus = 'queued' | 'sent' | 'delivered' | 'read' | 'failed';

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface ContactRef {
  id: string;
  name: string | null;
  phone: string | null;
  email: string | null;
}

export interface Conversation {
  id: string;
  channel: Channel;
  accountId: string;
  status: ConversationStatus;
  priority: Priority;
  tags: string[];
  unreadCount: number;
  lastMessageAt: string | null;
  lastMessagePreview: string | null;
  lastInboundAt: string | null;
  windowExpiresAt: string | null;
  divisionId: string | null;
  aiAgentId: string | null;
  contact: ContactRef;
  assignee: { id: string; name: string } | null;
  /** The last evaluated SLA state; null when no policy applies. */
  sla?: ConversationSla | null;
  resolvedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ConversationSla {
  status: 'on_track' | 'at_risk' | 'breached' | 'met';
  policyId: string | null;
  nextDueAt: string | null;
}

export interface MediaContent {
  mediaId?: string;
  mimeType?: string;
  filename?: string;
  caption?: string;
  voice?: boolean;
}

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

export interface Message {
  id: string;
  conversationId: string;
  direction: 'inbound' | 'outbound';
  type: string;
  text: string | null;
  content: MessageContent;
  status: DeliveryStatus;
  externalId: string | null;
  clientMessageId: string | null;
  replyToId: string | null;
  senderType: 'contact' | 'agent' | 'ai' | 'system';
  senderId: string | null;
  mediaId: string | null;
  mediaUrl: string | null;
  error: { code: number | null; reason: string | null } | null;
  sentAt: string | null;
  deliveredAt: string | null;
  readAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Note {
  id: string;
  conversationId: string;
  body: string;
  author: { id: string; name: string | null } | null;
  createdAt: string;
  updatedAt: string;
}

export interface Contact extends ContactRef {
  attributes: Record<string, string>;
  lastSeenAt: string | null;
  identities: { channel: string; externalId: string }[];
  createdAt: string;
  updatedAt: string;
}

export interface Agent {
  id: string;
  name: string;
  email: string;
  status: 'active' | 'suspended';
  online: boolean;
  role: { id: string; name: string } | null;
}

export interface ActivityLog {
  id: string;
  actorId: string | null;
  actorName: string | null;
  action: string;
  targetId: string | null;
  details: Record<string, unknown> | null;
  createdAt: string;
}

export interface SearchHit {
  messageId: string;
  conversationId: string;
  snippet: string;
  contactName: string | null;
  direction: string;
  type: string;
  createdAt: string;
}

export interface UploadedMedia {
  id: string;
  mimeType: string;
  size: number;
  filename: string | null;
  width: number | null;
  height: number | null;
  url: string;
  thumbnailUrl: string | null;
}

export type SendInput =
  | { type: 'text'; text: string; replyToId?: string }
  | { type: 'image' | 'video' | 'audio' | 'document'; mediaId: string; caption?: string; replyToId?: string };
/** Always with a clientMessageId, so a resend after a lost response is the same message. */
export type SendBody = SendInput & { clientMessageId: string };

export interface Division {
  id: string;
  name: string;
}

export interface ConversationFilters {
  divisionId?: string;
  assignee?: string;
  status?: string;
  channel?: string;
  tag?: string;
  unread?: boolean;
}

function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '' || value === false) continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

const enc = encodeURIComponent;

export const inboxApi = {
  conversations: (filters: ConversationFilters, cursor?: string | null, limit = 30) =>
    api.get<Page<Conversation>>(
      `/api/v1/conversations${qs({ limit, cursor: cursor ?? undefined, divisionId: filters.divisionId, assignee: filters.assignee, status: filters.status, channel: filters.channel, tag: filters.tag, unread: filters.unread ? 'true' : undefined })}`,
    ),
  conversation: (id: string) => api.get<Conversation>(`/api/v1/conversations/${enc(id)}`),
  assign: (id: string, assigneeId: string | null) => api.patch<Conversation>(`/api/v1/conversations/${enc(id)}/assign`, { assigneeId }),
  setStatus: (id: string, status: ConversationStatus) => api.patch<Conversation>(`/api/v1/conversations/${enc(id)}/status`, { status }),
  setTags: (id: string, change: { add?: string[]; remove?: string[] }) =>
    api.patch<Conversation>(`/api/v1/conversations/${enc(id)}/tags`, change),
  markRead: (id: string) => api.post<Conversation>(`/api/v1/conversations/${enc(id)}/read`),
  takeover: (id: string, reason?: string) => api.post<Conversation>(`/api/v1/conversations/${enc(id)}/takeover`, reason ? { reason } : {}),

  messages: (conversationId: string, cursor?: string | null, limit = 50) =>
    api.get<Page<Message>>(`/api/v1/conversations/${enc(conversationId)}/messages${qs({ limit, cursor: cursor ?? undefined })}`),
  send: (conversationId: string, body: SendBody) => api.post<Message>(`/api/v1/conversations/${enc(conversationId)}/messages`, body),

  notes: (conversationId: string) => api.get<Page<Note>>(`/api/v1/conversations/${enc(conversationId)}/notes?limit=200`),
  addNote: (conversationId: string, body: string) => api.post<Note>(`/api/v1/conversations/${enc(conversationId)}/notes`, { body }),
  editNote: (conversationId: string, noteId: string, body: string) =>
    api.patch<Note>(`/api/v1/conversations/${enc(conversationId)}/notes/${enc(noteId)}`, { body }),
  deleteNote: (conversationId: string, noteId: string) =>
    api.delete<void>(`/api/v1/conversations/${enc(conversationId)}/notes/${enc(noteId)}`),

  contacts: (search: string, cursor?: string | null, limit = 40) =>
    api.get<Page<Contact>>(`/api/v1/contacts${qs({ limit, cursor: cursor ?? undefined, search: search.trim() || undefined })}`),
  contact: (id: string) => api.get<Contact>(`/api/v1/contacts/${enc(id)}`),
  updateContact: (id: string, patch: Partial<Pick<Contact, 'name' | 'phone' | 'email' | 'attributes'>>) =>
    api.patch<Contact>(`/api/v1/contacts/${enc(id)}`, patch),
  /** Merges `otherId` into `id`: its identities and conversations move here; `otherId` is removed. */
  mergeContact: (id: string, otherId: string) => api.post<Contact>(`/api/v1/contacts/${enc(id)}/merge`, { contactId: otherId }),
  contactConversations: (id: string) => api.get<Page<Conversation>>(`/api/v1/contacts/${enc(id)}/conversations?limit=50`),

  agents: () => api.get<Page<Agent>>('/api/v1/agents?limit=200'),
  divisions: () => api.get<Page<Division>>('/api/v1/divisions?limit=200'),
  setOnline: (agentId: string, online: boolean) => api.patch<Agent>(`/api/v1/agents/${enc(agentId)}/status`, { online }),
  activity: (conversationId: string) => api.get<Page<ActivityLog>>(`/api/v1/activity-logs?limit=100&targetId=${enc(conversationId)}`),

  search: (q: string, cursor?: string | null, limit = 20) =>
    api.get<Page<SearchHit>>(`/api/v1/messages/search${qs({ q, limit, cursor: cursor ?? undefined })}`),
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
