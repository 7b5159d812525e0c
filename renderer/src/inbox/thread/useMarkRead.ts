import { useEffect } from 'react';
import { inboxApi, type Conversation } from '../api';

/** Opening a conversation (or a message arriving while it is open and visible) marks it read. */
export function useMarkRead(conversation: Conversation, onConversation: (conversation: Conversation) => void) {
  const unread = conversation.unreadCount;
  useEffect(() => {
    if (unread <= 0) return;
    const mark = () => {
      if (document.visibilityState !== 'visible') return;
      inboxApi
        .markRead(conversation.id)
        .then(onConversation)
        .catch(() => undefined);
    };
    const timer = setTimeout(mark, 300);
    document.addEventListener('visibilitychange', mark);
    return () => {
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', mark);
    };
  }, [conversation.id, unread, onConversation]);
}
