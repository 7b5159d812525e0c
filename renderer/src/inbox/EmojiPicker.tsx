// A compact emoji picker: the ones agents actually use in customer conversations, in a few groups.
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import './EmojiPicker.css';

const GROUPS: { key: 'smileys' | 'gestures' | 'hearts' | 'business'; emoji: string }[] = [
  { key: 'smileys', emoji: '😀 😃 😄 😁 😊 🙂 😉 😍 🥰 😘 😋 😎 🤩 🥳 😅 😂 🤣 😇 🤗 🤔 😌 😴 😮 😢 😭 😤 😡 😱 🙈 🙏' },
  { key: 'gestures', emoji: '👍 👎 👌 ✌️ 🤞 🤝 👏 🙌 👋 💪 👉 👇 ☝️ ✋ 🫶' },
  { key: 'hearts', emoji: '❤️ 🧡 💛 💚 💙 💜 🤍 💖 💯 ✨ ⭐ 🔥 🎉 🎁 🌸' },
  { key: 'business', emoji: '✅ ❌ ⚠️ ❓ ❗ 📦 🚚 🛒 💳 💰 🧾 📍 📞 📧 📷 🕒 📅 🔖 🏷️ 🛍️ 🍽️ ☕ 🏠 🏪' },
];

export function EmojiPicker({ onPick, onClose }: { onPick(emoji: string): void; onClose(): void }) {
  const { t } = useTranslation('inbox');
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    ref.current?.querySelector<HTMLButtonElement>('button')?.focus();
    const onDown = (event: MouseEvent) => {
      if (ref.current && !ref.current.contains(event.target as Node)) onClose();
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.stopPropagation();
        onClose();
      }
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey, true);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey, true);
    };
  }, [onClose]);

  return (
    <div ref={ref} className="emoji-picker" role="dialog" aria-label={t('composer.emoji')} data-testid="emoji-picker">
      {GROUPS.map((group) => (
        <section key={group.key} className="emoji-picker__group" aria-label={t(`emoji.${group.key}`)}>
          <h3 className="emoji-picker__title">{t(`emoji.${group.key}`)}</h3>
          <div className="emoji-picker__grid">
            {group.emoji.split(' ').map((emoji) => (
              <button key={emoji} type="button" className="emoji-picker__item" onClick={() => onPick(emoji)} aria-label={emoji}>
                {emoji}
              </button>
            ))}
          </div>
        </section>
      ))}
    </div>
  );
}
