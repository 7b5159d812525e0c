import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';

export type QuickReplyScope = 'personal' | 'shared';

/** A canned answer an agent inserts by its shortcut ("/" in the composer). */
export interface QuickReply {
  id: string;
  tenantId: string;
  scope: QuickReplyScope;
  /** The agent a personal reply belongs to; null for shared replies. */
  ownerId: string | null;
  /** "shared" or the owner's id: shortcuts are unique within it (one unique index covers both scopes). */
  ownerKey: string;
  shortcut: string;
  title: string | null;
  /** The text, with {{contact.name}}-style variables. */
  body: string;
  mediaId: string | null;
  usageCount: number;
  lastUsedAt: Date | null;
  createdById: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const QuickReplyEntity = new EntitySchema<QuickReply>({
  name: 'QuickReply',
  tableName: 'quick_replies',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    scope: col.string(10),
    ownerId: col.ref(true),
    ownerKey: col.string(36),
    shortcut: col.string(64),
    title: col.string(200, true),
    body: col.text(),
    mediaId: col.ref(true),
    usageCount: col.int(0),
    lastUsedAt: col.time(true),
    createdById: col.ref(true),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});

/** One agent's favorite: favorites come first in that agent's picker. */
export interface QuickReplyFavorite {
  id: string;
  tenantId: string;
  quickReplyId: string;
  userId: string;
  createdAt: Date;
}

export const QuickReplyFavoriteEntity = new EntitySchema<QuickReplyFavorite>({
  name: 'QuickReplyFavorite',
  tableName: 'quick_reply_favorites',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    quickReplyId: col.ref(),
    userId: col.ref(),
    createdAt: col.time(),
  },
});
