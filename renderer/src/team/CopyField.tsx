// A secret or link shown once, with a Copy button (the clipboard, or a selected field to copy by hand).
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

export function CopyField({ value, label, testId }: { value: string; label: string; testId: string }) {
  const { t } = useTranslation('team');
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);
  async function copy() {
    input.current?.select();
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      // No clipboard (plain http on the LAN): the text is selected for Ctrl+C.
      document.execCommand?.('copy');
      setCopied(true);
    }
  }
  return (
    <div className="copy-field">
      <label className="field__label" htmlFor={`${testId}-input`}>
        {label}
      </label>
      <div className="copy-field__row">
        <input
          id={`${testId}-input`}
          ref={input}
          className="field__input copy-field__input"
          readOnly
          value={value}
          onFocus={(e) => e.target.select()}
          data-testid={testId}
        />
        <button type="button" className="button button--secondary" onClick={() => void copy()} data-testid={`${testId}-copy`}>
          {copied ? t('common.copied') : t('common.copy')}
        </button>
      </div>
    </div>
  );
}
