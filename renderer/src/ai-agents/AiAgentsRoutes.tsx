// The AI agents area (/ai-agents): the agents, the organization's model, orchestration rules and
// usage, each a page under one sub-navigation; an agent's own page has its tabs (AgentPage).
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { Link, NavLink, Route, Routes, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../components/Dialog';
import { FormError } from '../components/FormError';
import { Icon } from '../components/Icon';
import { SubmitButton } from '../components/SubmitButton';
import { useToast } from '../components/Toasts';
import { errorMessage } from '../errors';
import { usePageTitle } from '../usePageTitle';
import { useWorkspace } from '../workspace';
import { Toggle, fieldErrorsOf, problemText } from '../settings/ui';
import { aiApi, type AiAgent } from './api';
import { AgentPage } from './AgentPage';
import { ModelSettingsPage, OrchestrationPage, UsagePage } from './OrgPages';
import '../settings/settings.css';
import './ai-agents.css';

export function AiSubnav() {
  const { t } = useTranslation('aiAgents');
  const links = [
    { to: '/ai-agents', label: t('aiAgents.sub.agents'), end: true, testId: 'ai-sub-agents' },
    { to: '/ai-agents/model', label: t('aiAgents.sub.model'), end: false, testId: 'ai-sub-model' },
    { to: '/ai-agents/orchestration', label: t('aiAgents.sub.orchestration'), end: false, testId: 'ai-sub-orchestration' },
    { to: '/ai-agents/usage', label: t('aiAgents.sub.usage'), end: false, testId: 'ai-sub-usage' },
  ];
  return (
    <nav className="ai-subnav" aria-label={t('aiAgents.title')}>
      {links.map((l) => (
        <NavLink key={l.to} to={l.to} end={l.end} className="ai-subnav__link" data-testid={l.testId}>
          {l.label}
        </NavLink>
      ))}
    </nav>
  );
}

function CreateAgentDialog({ onClose, onCreated }: { onClose(): void; onCreated(agent: AiAgent): void }) {
  const { t } = useTranslation('aiAgents');
  const [name, setName] = useState('');
  const [instructions, setInstructions] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) return setFieldErrors({ name: t('validation.required') });
    setBusy(true);
    setError(undefined);
    try {
      onCreated(await aiApi.createAgent({ name: name.trim(), instructions }));
    } catch (err) {
      setFieldErrors(fieldErrorsOf(err, t));
      setError(problemText(t, err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={t('aiAgents.create')} onClose={onClose} testId="ai-agent-dialog" className="dialog--form">
      <form className="stack-form" onSubmit={submit} noValidate>
        <FormError message={error} />
        <div className={fieldErrors.name ? 'field field--invalid' : 'field'}>
          <label className="field__label" htmlFor="ai-agent-name">
            {t('aiAgents.fields.name')}
          </label>
          <input
            id="ai-agent-name"
            className="field__input"
            value={name}
            maxLength={200}
            onChange={(e) => setName(e.target.value)}
            data-testid="ai-agent-name"
            data-autofocus
          />
          {fieldErrors.name ? <p className="field__error">{fieldErrors.name}</p> : null}
        </div>
        <div className="field">
          <label className="field__label" htmlFor="ai-agent-instructions">
            {t('aiAgents.fields.instructions')}
          </label>
          <textarea
            id="ai-agent-instructions"
            className="field__input"
            rows={4}
            value={instructions}
            placeholder={t('aiAgents.fields.instructionsPlaceholder')}
            onChange={(e) => setInstructions(e.target.value)}
            data-testid="ai-agent-instructions"
          />
          <p className="field__hint">{t('aiAgents.fields.instructionsHint')}</p>
        </div>
        <div className="form-actions">
          <button type="button" className="button button--secondary" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <SubmitButton busy={busy} busyLabel={t('settings.saving')} data-testid="ai-agent-save">
            {t('aiAgents.create')}
          </SubmitButton>
        </div>
      </form>
    </Dialog>
  );
}

function AgentsListPage() {
  const { t } = useTranslation('aiAgents');
  const toast = useToast();
  const navigate = useNavigate();
  usePageTitle(t('aiAgents.title'));
  const [agents, setAgents] = useState<AiAgent[] | null>(null);
  const [error, setError] = useState<string>();
  const [creating, setCreating] = useState(false);

  const load = useCallback(() => {
    aiApi.agents().then(
      (page) => setAgents(page.data),
      (err: unknown) => setError(errorMessage(t, err)),
    );
  }, [t]);
  useEffect(load, [load]);

  async function toggle(agent: AiAgent, active: boolean) {
    try {
      await aiApi.toggle(agent.id, active);
      load();
    } catch (err) {
      toast(problemText(t, err), 'error');
    }
  }

  return (
    <div className="settings-page" data-testid="ai-agents-page">
      <header className="settings-page__header">
        <div>
          <h2 className="settings-page__title">{t('aiAgents.title')}</h2>
          <p className="settings-page__intro">{t('aiAgents.intro')}</p>
        </div>
        <div className="settings-page__actions">
          <button type="button" className="button button--primary" onClick={() => setCreating(true)} data-testid="ai-agent-create">
            <Icon name="plus" size={16} />
            {t('aiAgents.create')}
          </button>
        </div>
      </header>
      <FormError message={error} />
      {agents === null && !error ? <div className="skeleton skeleton--block" /> : null}
      {agents?.length === 0 ? (
        <div className="empty-state">
          <Icon name="zap" size={32} />
          <p className="empty-state__title">{t('aiAgents.emptyTitle')}</p>
          <p>{t('aiAgents.emptyHint')}</p>
        </div>
      ) : null}
      <ul className="entity-list">
        {agents?.map((a) => (
          <li key={a.id} className="card entity" data-testid="ai-agent-row" data-name={a.name}>
            <div className="entity__head">
              <div className="entity__main">
                <h3 className="entity__title">
                  <Link to={`/ai-agents/${a.id}`} data-testid="ai-agent-open">
                    {a.name}
                  </Link>
                  {a.active ? (
                    <span className="pill pill--ok">{t('aiAgents.active')}</span>
                  ) : (
                    <span className="pill pill--muted">{t('aiAgents.inactive')}</span>
                  )}
                </h3>
                {a.description ? <p className="muted">{a.description}</p> : null}
                <p className="muted">
                  {t('aiAgents.counts', {
                    sources: a.counts.sources,
                    products: a.counts.products,
                    assignments: a.counts.assignments,
                    rules: a.counts.handoffRules,
                  })}
                </p>
              </div>
              <div className="entity__actions">
                <Toggle
                  checked={a.active}
                  onChange={(v) => void toggle(a, v)}
                  label={t('aiAgents.activeLabel')}
                  testId="ai-agent-row-active"
                />
              </div>
            </div>
          </li>
        ))}
      </ul>
      {creating ? (
        <CreateAgentDialog
          onClose={() => setCreating(false)}
          onCreated={(agent) => {
            setCreating(false);
            toast(t('aiAgents.created'), 'success');
            navigate(`/ai-agents/${agent.id}`);
          }}
        />
      ) : null}
    </div>
  );
}

/** Everything under /ai-agents (for people with ai_agents.manage). */
export function AiAgentsRoutes() {
  const { t } = useTranslation('aiAgents');
  const { can } = useWorkspace();
  return (
    <div className="ai-area">
      <AiSubnav />
      {can('ai_agents.manage') ? (
        <Routes>
          <Route index element={<AgentsListPage />} />
          <Route path="model" element={<ModelSettingsPage />} />
          <Route path="orchestration" element={<OrchestrationPage />} />
          <Route path="usage" element={<UsagePage />} />
          <Route path=":aiAgentId/:tab?" element={<AgentPage />} />
        </Routes>
      ) : (
        <p className="form-error" role="alert">
          {t('settings.forbidden')}
        </p>
      )}
    </div>
  );
}
