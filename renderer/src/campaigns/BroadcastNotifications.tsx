// Notices of the broadcast feature wherever the person is in the app: an outgoing webhook they own
// was turned off after repeated failures.
import type { ReactNode } from 'react';
import { useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { useToast } from '../components/Toasts';
import { useRealtimeEvent } from '../realtime';

export function BroadcastNotifications({ children }: { children: ReactNode }) {
  const { t } = useTranslation('campaigns');
  const toast = useToast();
  const navigate = useNavigate();
  useRealtimeEvent('notification', (payload: { type?: string; name?: string }) => {
    if (payload?.type !== 'outgoing_webhook.disabled') return;
    toast(t('broadcast.webhooks.disabledToast', { name: payload.name ?? '' }), 'error', {
      kind: 'webhook-disabled',
      durationMs: 15_000,
      action: { label: t('broadcast.tabs.webhooks'), onClick: () => navigate('/broadcast/webhooks') },
    });
  });
  return children;
}
