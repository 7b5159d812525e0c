// The reply being written in a conversation, kept in localStorage until it is sent, so it survives
// switching conversations and reloading the page.
import { useEffect, useState } from 'react';

const draftKey = (conversationId: string) => `omnistream.draft.${conversationId}`;

function readDraft(conversationId: string): string {
  try {
    return window.localStorage.getItem(draftKey(conversationId)) ?? '';
  } catch {
    return '';
  }
}

export function writeDraft(conversationId: string, text: string): void {
  try {
    if (text) window.localStorage.setItem(draftKey(conversationId), text);
    else window.localStorage.removeItem(draftKey(conversationId));
  } catch {
    // ignore
  }
}

/** The conversation's draft and its setter; `clear` empties it at once (after sending or scheduling). */
export function useDraft(conversationId: string) {
  const [text, setText] = useState(() => readDraft(conversationId));
  useEffect(() => writeDraft(conversationId, text), [conversationId, text]);
  const clear = () => {
    setText('');
    writeDraft(conversationId, '');
  };
  return [text, setText, clear] as const;
}
