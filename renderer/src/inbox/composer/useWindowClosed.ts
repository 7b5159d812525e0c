// Whether a free-form reply may go out now: the customer-service window (24 hours after the
// customer's last message on WhatsApp and Instagram) is open. Email has none. The server has the
// last word: a reply it refused because the window closed shows the banner too.
import { useTranslation } from 'react-i18next';
import { useNow, windowInfo } from '../../format';
import { useOutboxEntries } from '../../workspace';
import type { Conversation } from '../api';

export function useWindowClosed(conversation: Conversation): boolean {
  const { t } = useTranslation('inbox');
  const now = useNow(15_000);
  const win = windowInfo(conversation.windowExpiresAt, t, now);
  const refusedForWindow = useOutboxEntries().some(
    (e) =>
      e.conversationId === conversation.id && e.windowClosed && (!conversation.lastInboundAt || e.createdAt > conversation.lastInboundAt),
  );
  // Email has no customer-service window (the server sends windowExpiresAt: null for it).
  return conversation.channel !== 'email' && (!win.open || refusedForWindow);
}
