import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';

/** An internal note on a conversation: seen by the team, never sent to the customer. */
export interface Note {
  id: string;
  tenantId: string;
  conversationId: string;
  authorId: string | null;
  body: string;
  createdAt: Date;
  updatedAt: Date;
}

export const NoteEntity = new EntitySchema<Note>({
  name: 'Note',
  tableName: 'notes',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    conversationId: col.ref(),
    authorId: col.ref(true),
    body: col.text(),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});
