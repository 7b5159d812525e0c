// Evaluations: questions with the facts the answer must state, run on demand, scored, with history.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { FormError } from '../components/FormError';
import { Icon } from '../components/Icon';
import { useToast } from '../components/Toasts';
import { errorMessage } from '../errors';
import { problemText } from '../settings/ui';
import { aiApi, type AiAgent, type Evaluation } from './api';

/** "Question | fact; fact" per line. */
function parseCases(text: string) {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [question, facts = ''] = line.split('|');
      return {
        question: question.trim(),
        expectedFacts: facts
          .split(';')
          .map((f) => f.trim())
          .filter(Boolean),
      };
    });
}

const pct = (n: number | null) => (n === null ? '—' : `${Math.round(n * 100)}%`);

export function EvaluationsTab({ agent }: { agent: AiAgent }) {
  const { t } = useTranslation('aiAgents');
  const toast = useToast();
  const [items, setItems] = useState<Evaluation[] | null>(null);
  const [name, setName] = useState('');
  const [cases, setCases] = useState('');
  const [error, setError] = useState<string>();

  const load = useCallback(() => {
    aiApi.evaluations(agent.id).then(
      (p) => setItems(p.data),
      (err: unknown) => setError(errorMessage(t, err)),
    );
  }, [agent.id, t]);
  useEffect(load, [load]);
  const running = items?.some((e) => e.lastRun && (e.lastRun.status === 'queued' || e.lastRun.status === 'running'));
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(load, 1000);
    return () => clearInterval(timer);
  }, [running, load]);

  async function create(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    try {
      await aiApi.createEvaluation(agent.id, { name: name.trim(), cases: parseCases(cases) });
      setName('');
      setCases('');
      load();
    } catch (err) {
      setError(problemText(t, err));
    }
  }

  return (
    <div className="ai-columns ai-columns--wide-first">
      <section className="card" data-testid="ai-evaluations">
        <h3 className="card__title">{t('aiAgents.evaluations.title')}</h3>
        {items?.length === 0 ? <p className="muted">{t('aiAgents.evaluations.empty')}</p> : null}
        <ul className="ai-list">
          {items?.map((e) => (
            <li key={e.id} className="ai-source" data-testid="ai-evaluation-row">
              <div className="ai-list__item">
                <span>
                  <strong>{e.name}</strong>{' '}
                  <span className="muted">
                    {t('aiAgents.evaluations.cases', { count: e.cases.length })} ·{' '}
                    {e.lastRun
                      ? e.lastRun.status === 'done'
                        ? t('aiAgents.evaluations.score', {
                            score: pct(e.lastRun.score),
                            passed: e.lastRun.passedCount,
                            total: e.lastRun.total,
                          })
                        : t(`aiAgents.evaluations.status.${e.lastRun.status}`)
                      : t('aiAgents.evaluations.notRun')}
                  </span>
                </span>
                <span className="ai-list__actions">
                  <button
                    type="button"
                    className="link-button"
                    onClick={() =>
                      void aiApi.runEvaluation(agent.id, e.id).then(load, (err: unknown) => toast(problemText(t, err), 'error'))
                    }
                    data-testid="ai-evaluation-run"
                  >
                    {t('aiAgents.evaluations.run')}
                  </button>
                  <button
                    type="button"
                    className="link-button link-button--danger"
                    onClick={() =>
                      void aiApi.deleteEvaluation(agent.id, e.id).then(load, (err: unknown) => toast(problemText(t, err), 'error'))
                    }
                  >
                    {t('aiAgents.remove')}
                  </button>
                </span>
              </div>
              {e.lastRun?.results?.length ? (
                <table className="data-table ai-small">
                  <tbody>
                    {e.lastRun.results.map((r, i) => (
                      <tr key={i}>
                        <td>{r.passed ? '✓' : '✗'}</td>
                        <td>{r.question}</td>
                        <td>{r.answer ?? r.handoff ?? r.error}</td>
                        <td>{pct(r.score)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : null}
              {e.runs.length > 1 ? (
                <p className="muted ai-small">
                  {t('aiAgents.evaluations.history')}: {e.runs.map((r) => pct(r.score)).join(' · ')}
                </p>
              ) : null}
            </li>
          ))}
        </ul>
      </section>
      <section className="card">
        <h3 className="card__title">{t('aiAgents.evaluations.create')}</h3>
        <form className="stack-form" onSubmit={create}>
          <FormError message={error} />
          <input
            className="field__input"
            placeholder={t('aiAgents.evaluations.name')}
            aria-label={t('aiAgents.evaluations.name')}
            value={name}
            onChange={(e) => setName(e.target.value)}
            data-testid="ai-evaluation-name"
          />
          <textarea
            className="field__input"
            rows={6}
            placeholder={t('aiAgents.evaluations.casesPlaceholder')}
            aria-label={t('aiAgents.evaluations.casesLabel')}
            value={cases}
            onChange={(e) => setCases(e.target.value)}
            data-testid="ai-evaluation-cases"
          />
          <p className="muted">{t('aiAgents.evaluations.casesHint')}</p>
          <div>
            <button
              type="submit"
              className="button button--secondary button--sm"
              disabled={!name.trim() || !cases.trim()}
              data-testid="ai-evaluation-create"
            >
              <Icon name="plus" size={14} />
              {t('aiAgents.evaluations.createAndRun')}
            </button>
          </div>
        </form>
      </section>
    </div>
  );
}
