// The playground: chat with the agent as a customer would; each answer shows the passages retrieval
// found and the prompt the model got (or the handoff a rule or the model chose). Nothing is sent to
// anyone.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { FormError } from '../components/FormError';
import { SubmitButton } from '../components/SubmitButton';
import { problemText } from '../settings/ui';
import { aiApi, type AiAgent, type TestResult } from './api';

interface Exchange {
  question: string;
  result: TestResult;
}

export function PlaygroundTab({ agent }: { agent: AiAgent }) {
  const { t } = useTranslation('aiAgents');
  const [message, setMessage] = useState('');
  const [exchanges, setExchanges] = useState<Exchange[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function send(event: FormEvent) {
    event.preventDefault();
    const question = message.trim();
    if (!question) return;
    setBusy(true);
    setError(undefined);
    const history = exchanges.flatMap((x) => [
      { role: 'customer' as const, text: x.question },
      ...(x.result.answer ? [{ role: 'business' as const, text: x.result.answer }] : []),
    ]);
    try {
      const result = await aiApi.test(agent.id, question, history.slice(-20));
      setExchanges((cur) => [...cur, { question, result }]);
      setMessage('');
    } catch (err) {
      setError(problemText(t, err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card ai-playground" data-testid="ai-playground">
      <div className="toolbar-row">
        <p className="muted">{t('aiAgents.playground.hint')}</p>
        {exchanges.length ? (
          <button type="button" className="link-button" onClick={() => setExchanges([])}>
            {t('aiAgents.playground.reset')}
          </button>
        ) : null}
      </div>
      <ol className="ai-chat">
        {exchanges.map((x, i) => (
          <li key={i} className="ai-chat__turn" data-testid="ai-playground-turn">
            <p className="ai-chat__bubble ai-chat__bubble--customer">{x.question}</p>
            {x.result.answer ? (
              <p className="ai-chat__bubble ai-chat__bubble--agent" data-testid="ai-playground-answer">
                {x.result.answer}
              </p>
            ) : (
              <p className="ai-chat__handoff" data-testid="ai-playground-handoff">
                {t('aiAgents.playground.handoff', {
                  reason: t(`aiAgents.reasons.${x.result.handoff?.reason ?? 'out_of_scope'}` as 'aiAgents.reasons.out_of_scope'),
                })}
                {x.result.handoff?.detail ? ` — ${x.result.handoff.detail}` : ''}
              </p>
            )}
            <details className="ai-chat__details">
              <summary>{t('aiAgents.playground.passages', { count: x.result.passages.length })}</summary>
              <ol className="ai-passages">
                {x.result.passages.map((p) => (
                  <li key={p.chunkId} className="ai-passage" data-testid="ai-playground-passage">
                    <span className="muted">
                      {t(`aiAgents.knowledge.types.${p.kind === 'product' ? 'product' : p.kind}` as 'aiAgents.knowledge.types.text')} ·{' '}
                      {t('aiAgents.playground.confidence', { value: Math.round(p.confidence * 100) })}
                    </span>
                    <pre className="ai-pre">
                      {p.title ? `${p.title}\n` : ''}
                      {p.text}
                    </pre>
                  </li>
                ))}
              </ol>
            </details>
            {x.result.prompt.length ? (
              <details className="ai-chat__details">
                <summary>{t('aiAgents.playground.prompt')}</summary>
                {x.result.prompt.map((m, j) => (
                  <pre key={j} className="ai-pre" data-testid="ai-playground-prompt">
                    [{m.role}] {m.content}
                  </pre>
                ))}
              </details>
            ) : null}
            {x.result.usage ? (
              <p className="muted ai-small">
                {t('aiAgents.playground.usage', {
                  tokensIn: x.result.usage.tokensIn,
                  tokensOut: x.result.usage.tokensOut,
                  ms: x.result.usage.latencyMs,
                  model: x.result.usage.model,
                })}
              </p>
            ) : null}
          </li>
        ))}
      </ol>
      <FormError message={error} />
      <form className="inline-row" onSubmit={send}>
        <input
          className="field__input"
          value={message}
          placeholder={t('aiAgents.playground.placeholder')}
          aria-label={t('aiAgents.playground.placeholder')}
          onChange={(e) => setMessage(e.target.value)}
          data-testid="ai-playground-input"
        />
        <SubmitButton busy={busy} busyLabel={t('aiAgents.playground.thinking')} disabled={!message.trim()} data-testid="ai-playground-send">
          {t('aiAgents.playground.send')}
        </SubmitButton>
      </form>
    </section>
  );
}
