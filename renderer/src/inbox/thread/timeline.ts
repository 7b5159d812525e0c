// The thread's timeline: messages (with the reactions to them), internal notes and assignment
// history in time order, with a separator per day, and the outbox's waiting replies last.
import type { AnyT } from '../../i18n';
import { dayKey, formatDayLabel } from '../../format';
import type { Message, Note } from '../api';
import type { Reaction } from '../MessageBubble';
import type { OutboxEntry } from '../outbox';
import type { ActivityEntry } from './useThread';

export type TimelineItem =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'message'; key: string; at: string; message: Message; reactions: Reaction[] }
  | { kind: 'note'; key: string; at: string; note: Note }
  | { kind: 'activity'; key: string; at: string; entry: ActivityEntry }
  | { kind: 'outbox'; key: string; at: string; entry: OutboxEntry };

export function buildTimeline(
  messages: Message[],
  notes: Note[],
  activity: ActivityEntry[],
  outboxEntries: OutboxEntry[],
  t: AnyT,
  language: string | undefined,
  now: number,
): TimelineItem[] {
  // Reactions attach to the message they react to (the latest per side wins; an empty emoji removes it).
  const reactionsByTarget = new Map<string, Map<string, string>>();
  const loose: Message[] = [];
  const ids = new Set(messages.map((m) => m.id));
  for (const m of messages) {
    if (m.type !== 'reaction') continue;
    if (m.replyToId && ids.has(m.replyToId)) {
      const side = m.direction === 'inbound' ? 'customer' : 'agent';
      const map = reactionsByTarget.get(m.replyToId) ?? new Map<string, string>();
      map.set(side, m.content.reaction?.emoji ?? '');
      reactionsByTarget.set(m.replyToId, map);
    } else loose.push(m);
  }
  const sent = new Set(messages.map((m) => m.clientMessageId).filter(Boolean));
  const entries: Exclude<TimelineItem, { kind: 'day' }>[] = [];
  for (const m of messages) {
    if (m.type === 'reaction' && !loose.includes(m)) continue;
    const reactions: Reaction[] = [...(reactionsByTarget.get(m.id) ?? new Map()).entries()]
      .filter(([, emoji]) => emoji)
      .map(([from, emoji]) => ({ emoji, from: from as Reaction['from'] }));
    entries.push({ kind: 'message', key: `m-${m.id}`, at: m.createdAt, message: m, reactions });
  }
  for (const note of notes) entries.push({ kind: 'note', key: `n-${note.id}`, at: note.createdAt, note });
  for (const entry of activity) entries.push({ kind: 'activity', key: `a-${entry.id}`, at: entry.createdAt, entry });
  entries.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.key < b.key ? -1 : 1));
  // Waiting replies always come last, in the order they were written.
  for (const entry of outboxEntries) {
    if (sent.has(entry.clientMessageId)) continue;
    entries.push({ kind: 'outbox', key: `o-${entry.clientMessageId}`, at: entry.createdAt, entry });
  }

  const items: TimelineItem[] = [];
  let lastDay = '';
  for (const entry of entries) {
    const day = dayKey(entry.at);
    if (day !== lastDay) {
      items.push({ kind: 'day', key: `d-${day}-${items.length}`, label: formatDayLabel(entry.at, t, language, now) });
      lastDay = day;
    }
    items.push(entry);
  }
  return items;
}
