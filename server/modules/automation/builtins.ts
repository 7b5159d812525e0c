// The five behaviours that used to be wired by hand, as built-in rules every organization has and
// its owners can see, edit, snooze or turn off. Their actions stay in their modules (each module's
// service exports the request the engine calls); the engine decides when.
import type { ActionDef, ConditionGroup } from './automation.schemas.js';

export interface BuiltInRule {
  key: string;
  name: string;
  description: string;
  position: number;
  triggers: string[];
  conditions: ConditionGroup;
  actions: ActionDef[];
  scheduleCron?: string;
}

export const BUILT_IN_RULES: BuiltInRule[] = [
  {
    key: 'division-routing',
    name: 'Division routing',
    description:
      'A new conversation joins the default division and, when that division auto-assigns, goes to its online agent with the fewest open conversations.',
    position: 0,
    triggers: ['conversation.created'],
    conditions: { match: 'all', conditions: [] },
    actions: [{ type: 'built_in', action: 'division_routing' }],
  },
  {
    key: 'out-of-hours-reply',
    name: 'Out-of-hours reply',
    description:
      "A customer who writes while the business is closed gets the channel's out-of-hours reply, once per conversation per closed period.",
    position: 1,
    triggers: ['message.received'],
    conditions: { match: 'all', conditions: [{ field: 'time.withinWorkingHours', operator: 'equals', value: false }] },
    actions: [{ type: 'built_in', action: 'out_of_hours_reply' }],
  },
  {
    key: 'csat-on-resolve',
    name: 'CSAT survey on resolve',
    description: 'A resolved conversation gets a satisfaction survey when CSAT is enabled.',
    position: 2,
    triggers: ['conversation.resolved'],
    conditions: { match: 'all', conditions: [] },
    actions: [{ type: 'built_in', action: 'csat_survey' }],
  },
  {
    key: 'sla-checks',
    name: 'SLA checks',
    description:
      "Re-evaluates a conversation's SLA clocks after its events and its agents' replies, and every open conversation each minute, when an SLA policy is enabled.",
    position: 3,
    triggers: [
      'conversation.created',
      'conversation.status_changed',
      'conversation.resolved',
      'conversation.reopened',
      'conversation.transferred',
      'message.sent',
      'schedule.tick',
    ],
    conditions: {
      match: 'any',
      conditions: [
        { field: 'event.type', operator: 'not_equals', value: 'message.sent' },
        { field: 'message.senderType', operator: 'in', value: ['agent', 'ai'] },
      ],
    },
    actions: [{ type: 'built_in', action: 'sla_check' }],
    scheduleCron: '* * * * *',
  },
  {
    key: 'chat-expiration',
    name: 'Chat expiration',
    description: "Every five minutes, resolves conversations idle longer than their channel's expiration rule.",
    position: 4,
    triggers: ['schedule.tick'],
    conditions: { match: 'all', conditions: [] },
    actions: [{ type: 'built_in', action: 'chat_expiration' }],
    scheduleCron: '*/5 * * * *',
  },
];
