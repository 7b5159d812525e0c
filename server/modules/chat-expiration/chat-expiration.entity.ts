import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';
import type { Channel } from '../../channels/types.js';

/** Per channel: resolve conversations after `hours` without activity, optionally saying goodbye. */
export interface ChatExpirationRule {
  id: string;
  tenantId: string;
  channel: Channel;
  enabled: boolean;
  hours: number;
  closingMessage: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const ChatExpirationRuleEntity = new EntitySchema<ChatExpirationRule>({
  name: 'ChatExpirationRule',
  tableName: 'chat_expiration_rules',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    channel: col.string(20),
    enabled: col.bool(false),
    hours: col.int(24),
    closingMessage: col.text(true),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});
