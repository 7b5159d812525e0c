// The composer's AI helpers for human agents: "Suggest reply" drafts an answer from the AI agent's
// knowledge into the reply box (to edit and send, or not), "Summarize" explains the conversation so
// far. Both use the same retrieval and model as the AI agents; nothing is sent by them.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useToast } from '../components/Toasts';
import { problemText } from '../settings/ui';
import { aiApi } from './api';
import './ai-agents.css';

function Sparkles() {
  return (
    <svg
      width="18"
      height="18"
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      <path d="M12 3l1.9 5.1L19 10l-5.1 1.9L12 17l-1.9-5.1L5 10l5.1-1.9z" />
      <path d="M19 15l.9 2.1L22 18l-2.1.9L19 21l-.9-2.1L16 18l2.1-.9z" />
    </svg>
  );
}

export function AiAssist({
  conversationId,
  disabled,
  onSuggestion,
}: {
  conversationId: string;
  disabled?: boolean;
  onSuggestion(text: string): void;
}) {
  const { t } = useTranslation('aiAgents');
  const toast = useToast();
  const [busy, setBusy] = useState<'suggest' | 'summary' | null>(null);
  const [summary, setSummary] = useState<string | null>(null);

  async function suggest() {
    setBusy('suggest');
    try {
      onSuggestion((await aiApi.suggest(conversationId)).suggestion);
    } catch (err) {
      toast(problemText(t, err), 'error');
    } finally {
      setBusy(null);
    }
  }

  async function summarize() {
    setBusy('summary');
    try {
      setSummary((await aiApi.summarize(conversationId)).summary);
    } catch (err) {
      toast(problemText(t, err), 'error');
    } finally {
      setBusy(null);
    }
  }

  return (
    <span className="ai-assist">
      <button
        type="button"
        className="icon-button"
        onClick={() => void suggest()}
        disabled={disabled || busy !== null}
        aria-label={t('aiAgents.assist.suggest')}
        title={t('aiAgents.assist.suggest')}
        aria-busy={busy === 'suggest' || undefined}
        data-testid="ai-suggest-button"
      >
        {busy === 'suggest' ? <span className="spinner spinner--dark" aria-hidden="true" /> : <Sparkles />}
      </button>
      <button
        type="button"
        className="button button--secondary button--sm ai-assist__summary-button"
        onClick={() => void summarize()}
        disabled={busy !== null}
        data-testid="ai-summary-button"
      >
        {busy === 'summary' ? t('aiAgents.assist.summarizing') : t('aiAgents.assist.summarize')}
      </button>
      {summary !== null ? (
        <div className="ai-assist__summary" role="status" data-testid="ai-summary">
          <strong>{t('aiAgents.assist.summaryTitle')}</strong>
          <p>{summary}</p>
          <button type="button" className="link-button" onClick={() => setSummary(null)}>
            {t('common.close')}
          </button>
        </div>
      ) : null}
    </span>
  );
}
