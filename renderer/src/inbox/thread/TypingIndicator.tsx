// "Rahmat is typing…" under the timeline: other agents typing in this conversation (the server
// relays it; it is never stored).
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useRealtimeEvent } from '../../realtime';
import { useWorkspace } from '../../workspace';
import './TypingIndicator.css';

export function TypingIndicator({ conversationId }: { conversationId: string }) {
  const { t } = useTranslation('inbox');
  const typing = useTyping(conversationId);
  if (!typing.length) return null;
  return (
    <p className="typing" data-testid="typing-indicator">
      <span className="typing__dots" aria-hidden="true">
        <span />
        <span />
        <span />
      </span>
      {t('inbox.typing', { names: typing.join(', '), count: typing.length })}
    </p>
  );
}

/** Other agents typing in this conversation (the server relays it; it is never stored). */
function useTyping(conversationId: string): string[] {
  const { me } = useWorkspace();
  const [typing, setTyping] = useState<Record<string, { name: string; until: number }>>({});
  useRealtimeEvent('typing', (p: { conversationId: string; typing: boolean; user: { id: string; name: string } }) => {
    if (p?.conversationId !== conversationId || !p.user || p.user.id === me.id) return;
    setTyping((cur) => {
      const next = { ...cur };
      if (p.typing) next[p.user.id] = { name: p.user.name, until: Date.now() + 6000 };
      else delete next[p.user.id];
      return next;
    });
  });
  const active = Object.values(typing);
  useEffect(() => {
    if (active.length === 0) return;
    const timer = setInterval(() => {
      setTyping((cur) => {
        const at = Date.now();
        const next = Object.fromEntries(Object.entries(cur).filter(([, v]) => v.until > at));
        return Object.keys(next).length === Object.keys(cur).length ? cur : next;
      });
    }, 1000);
    return () => clearInterval(timer);
  }, [active.length]);
  return active.map((v) => v.name);
}
