// Keyboard shortcuts. Plain keys (j, k, e, a, /, ?) are ignored while typing in a field; keys with
// Alt or Ctrl/⌘ work everywhere. Bindings are written like "j", "alt+ArrowDown", "mod+k".
import { useEffect, useRef } from 'react';

type Binding = (event: KeyboardEvent) => void;

export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (target as HTMLInputElement).type;
    return !['checkbox', 'radio', 'button', 'submit', 'reset', 'file'].includes(type);
  }
  return false;
}

function describe(event: KeyboardEvent): string {
  const parts: string[] = [];
  if (event.ctrlKey || event.metaKey) parts.push('mod');
  if (event.altKey) parts.push('alt');
  // Shift is part of the character for "?" and similar; only name it for non-printing keys.
  if (event.shiftKey && event.key.length > 1) parts.push('shift');
  parts.push(event.key.length === 1 ? event.key.toLowerCase() : event.key);
  return parts.join('+');
}

export function useHotkeys(bindings: Record<string, Binding>, enabled = true): void {
  const latest = useRef(bindings);
  latest.current = bindings;
  useEffect(() => {
    if (!enabled) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.isComposing) return;
      const key = describe(event);
      const handler = latest.current[key] ?? (event.key === '?' ? latest.current['?'] : undefined);
      if (!handler) return;
      const plain = !key.includes('mod+') && !key.includes('alt+') && event.key !== 'Escape';
      if (plain && isTypingTarget(event.target)) return;
      // A dialog that is open owns the keyboard.
      if (plain && document.querySelector('[role="dialog"][aria-modal="true"]')) return;
      event.preventDefault();
      handler(event);
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [enabled]);
}

export const SHORTCUTS: { keys: string[]; action: string }[] = [
  { keys: ['j', 'Alt ↓'], action: 'nextConversation' },
  { keys: ['k', 'Alt ↑'], action: 'previousConversation' },
  { keys: ['r'], action: 'reply' },
  { keys: ['e'], action: 'resolve' },
  { keys: ['a'], action: 'assignToMe' },
  { keys: ['/', 'Ctrl K'], action: 'search' },
  { keys: ['/'], action: 'quickReply' },
  { keys: ['Enter'], action: 'send' },
  { keys: ['Shift Enter'], action: 'newLine' },
  { keys: ['Esc'], action: 'close' },
  { keys: ['?'], action: 'help' },
];
