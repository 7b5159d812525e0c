import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';
import type { Channel } from '../../channels/types.js';
import type { Holiday, HoursEntry } from './calendar.service.js';

export interface OutOfHoursReply {
  channel: Channel;
  enabled: boolean;
  message: string;
}

/** Weekly hours and holidays: the tenant's (divisionId null) or a division's override. */
export interface WorkingHours {
  id: string;
  tenantId: string;
  divisionId: string | null;
  hours: HoursEntry[];
  holidays: Holiday[];
  /** Per-channel automatic reply sent once per conversation per closed period (tenant row only). */
  autoReplies: OutOfHoursReply[];
  createdAt: Date;
  updatedAt: Date;
}

/** Marks that a conversation got its out-of-hours reply for the closed period starting at periodKey. */
export interface OutOfHoursReplyLog {
  id: string;
  tenantId: string;
  conversationId: string;
  periodKey: string;
  messageId: string | null;
  createdAt: Date;
}

export const WorkingHoursEntity = new EntitySchema<WorkingHours>({
  name: 'WorkingHours',
  tableName: 'working_hours',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    divisionId: col.ref(true),
    hours: col.json(),
    holidays: col.json(),
    autoReplies: col.json(),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});

export const OutOfHoursReplyLogEntity = new EntitySchema<OutOfHoursReplyLog>({
  name: 'OutOfHoursReplyLog',
  tableName: 'out_of_hours_replies',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    conversationId: col.ref(),
    periodKey: col.string(40),
    messageId: col.ref(true),
    createdAt: col.time(),
  },
});
