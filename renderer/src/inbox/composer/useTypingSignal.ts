// Tells the other agents, over the live connection, that this one is typing a reply in the
// conversation: at most every 2.5 s while the text changes, and "stopped" when it is emptied, sent,
// left or the box loses focus.
import { useCallback, useEffect, useRef } from 'react';
import { useRealtime } from '../../realtime';

export function useTypingSignal(conversationId: string) {
  const { emit } = useRealtime();
  const lastTyping = useRef(0);

  const stop = useCallback(() => {
    if (lastTyping.current) {
      emit('typing', { conversationId, typing: false });
      lastTyping.current = 0;
    }
  }, [emit, conversationId]);
  useEffect(() => stop, [stop]);

  /** The reply's text changed to `value`. */
  const changed = (value: string) => {
    const at = Date.now();
    if (value && at - lastTyping.current > 2500) {
      lastTyping.current = at;
      emit('typing', { conversationId, typing: true });
    }
    if (!value) stop();
  };

  return { changed, stop };
}
