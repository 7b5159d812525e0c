// Short-lived messages at the bottom of the screen (action failed, contact saved, …).
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from './Icon';
import './Toasts.css';

type Tone = 'info' | 'error' | 'success';

/** Extras for a toast: a button (e.g. "Open"), how long it stays, and a test id for the notification kind. */
export interface ToastOptions {
  action?: { label: string; onClick(): void };
  durationMs?: number;
  kind?: string;
}

interface Toast {
  id: number;
  text: string;
  tone: Tone;
  options?: ToastOptions;
}

const ToastContext = createContext<(text: string, tone?: Tone, options?: ToastOptions) => void>(() => undefined);

export function ToastProvider({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const [toasts, setToasts] = useState<Toast[]>([]);
  const counter = useRef(0);
  const dismiss = useCallback((id: number) => setToasts((list) => list.filter((toast) => toast.id !== id)), []);
  const push = useCallback(
    (text: string, tone: Tone = 'info', options?: ToastOptions) => {
      const id = ++counter.current;
      setToasts((list) => [...list.slice(-2), { id, text, tone, options }]);
      setTimeout(() => dismiss(id), options?.durationMs ?? (tone === 'error' ? 6000 : 3500));
    },
    [dismiss],
  );
  const value = useMemo(() => push, [push]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <div className="toasts" aria-live="polite">
        {toasts.map((toast) => (
          <div
            key={toast.id}
            className={`toast toast--${toast.tone}`}
            role={toast.tone === 'error' ? 'alert' : 'status'}
            data-testid="toast"
            data-kind={toast.options?.kind}
          >
            <span>{toast.text}</span>
            {toast.options?.action ? (
              <button
                type="button"
                className="toast__action"
                onClick={() => {
                  toast.options?.action?.onClick();
                  dismiss(toast.id);
                }}
                data-testid="toast-action"
              >
                {toast.options.action.label}
              </button>
            ) : null}
            <button type="button" className="icon-button icon-button--sm" aria-label={t('common.close')} onClick={() => dismiss(toast.id)}>
              <Icon name="x" size={14} />
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast() {
  return useContext(ToastContext);
}
