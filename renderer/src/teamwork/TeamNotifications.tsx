// Live notices for the signed-in agent: a conversation transferred or assigned to them, one moved
// into one of their divisions, and an SLA breach on one of theirs. A toast with "Open", plus the
// chime and a desktop notification when the window is in the background (unless muted).
import { useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { useToast } from '../components/Toasts';
import { contactName } from '../format';
import type { Conversation } from '../inbox/api';
import { playChime, showNotification } from '../notify';
import { usePreferences } from '../preferences';
import { useRealtimeEvent } from '../realtime';
import { useWorkspace } from '../workspace';
import type { Transfer } from './api';
import { useTeam } from './TeamContext';

interface TransferredPayload {
  conversation: Conversation;
  transfer: Transfer;
  by?: string | null;
}

type NotificationPayload =
  | ({ type: 'conversation.transferred' } & TransferredPayload)
  | { type: 'conversation.assigned'; conversation: Conversation; by?: string | null }
  | { type: 'sla.breached'; conversationId: string; breach: { metric: 'first_response' | 'resolution'; policyName?: string } }
  | { type: string; [key: string]: unknown };

export function TeamNotifications() {
  const { t } = useTranslation(['teamwork', 'inbox']);
  const navigate = useNavigate();
  const toast = useToast();
  const { me, agentName } = useWorkspace();
  const { myDivisionIds, divisionName } = useTeam();
  const { muted } = usePreferences();

  function announce(text: string, conversationId: string, kind: string, tone: 'info' | 'error' = 'info') {
    const open = () => navigate(`/inbox/${encodeURIComponent(conversationId)}`);
    toast(text, tone, { kind, durationMs: 10_000, action: { label: t('notify.open'), onClick: open } });
    if (muted) return;
    playChime();
    if (document.visibilityState !== 'visible') showNotification(t('app.name'), text, `${kind}-${conversationId}`, open);
  }

  useRealtimeEvent('notification', (payload: NotificationPayload) => {
    if (!payload || typeof payload.type !== 'string') return;
    if (payload.type === 'conversation.transferred') {
      const p = payload as TransferredPayload;
      if (!p.conversation) return;
      const actor = p.transfer?.by?.name ?? agentName(p.by) ?? t('inbox:activity.someone');
      const contact = contactName(p.conversation.contact, t);
      const text = p.transfer?.reason
        ? t('notify.transferredToYouReason', { actor, contact, reason: p.transfer.reason })
        : t('notify.transferredToYou', { actor, contact });
      announce(text, p.conversation.id, 'transfer');
    } else if (payload.type === 'conversation.assigned') {
      const p = payload as { conversation: Conversation; by?: string | null };
      if (!p.conversation) return;
      const actor = agentName(p.by) ?? t('inbox:activity.someone');
      announce(t('notify.assignedToYou', { actor, contact: contactName(p.conversation.contact, t) }), p.conversation.id, 'assignment');
    } else if (payload.type === 'sla.breached') {
      const p = payload as { conversationId: string; breach?: { metric?: string; policyName?: string } };
      if (!p.conversationId) return;
      const metric = p.breach?.metric === 'resolution' ? t('sla.metric.resolution') : t('sla.metric.first_response');
      announce(t('notify.slaBreached', { metric, policy: p.breach?.policyName ?? '' }), p.conversationId, 'sla-breached', 'error');
    }
  });

  // Moved into one of my divisions without a named agent: everyone in the division hears about it.
  useRealtimeEvent('conversation.transferred', (p: TransferredPayload) => {
    const to = p?.transfer?.to;
    if (!to?.division || !p.conversation) return;
    if (p.by === me.id || p.transfer.by?.id === me.id) return;
    if (to.agent && to.agent.id !== me.id) return;
    if (to.agent?.id === me.id) return; // the personal notification covers it
    if (p.transfer.from.division?.id === to.division.id) return;
    if (!myDivisionIds?.has(to.division.id)) return;
    const division = to.division.name ?? divisionName(to.division.id) ?? '';
    announce(
      t('notify.transferredToDivision', { contact: contactName(p.conversation.contact, t), division }),
      p.conversation.id,
      'division-transfer',
    );
  });

  return null;
}
