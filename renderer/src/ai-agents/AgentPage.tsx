// One AI agent: its persona and language, knowledge, products, assignments and handoff rules, the
// playground, evaluations and usage, one tab each (/ai-agents/:id/:tab).
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { NavLink, useNavigate, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { FormError } from '../components/FormError';
import { SubmitButton } from '../components/SubmitButton';
import { useToast } from '../components/Toasts';
import { errorMessage } from '../errors';
import { useTeam } from '../teamwork/TeamContext';
import { usePageTitle } from '../usePageTitle';
import { useWorkspace } from '../workspace';
import { SaveStatus, Toggle, fieldErrorsOf, problemText, type SaveState } from '../settings/ui';
import { aiApi, HANDOFF_TYPES, type AgentLanguage, type AiAgent, type Assignment, type HandoffRule, type HandoffType } from './api';
import { KnowledgeTab, ProductsTab } from './KnowledgeTab';
import { PlaygroundTab } from './PlaygroundTab';
import { EvaluationsTab } from './EvaluationsTab';
import { AgentUsage } from './OrgPages';

const TABS = ['settings', 'knowledge', 'products', 'rules', 'playground', 'evaluations', 'usage'] as const;
type Tab = (typeof TABS)[number];

const numberOrNull = (v: string) => (v.trim() === '' ? null : Number(v));

function SettingsTab({ agent, onSaved }: { agent: AiAgent; onSaved(a: AiAgent): void }) {
  const { t } = useTranslation('aiAgents');
  const toast = useToast();
  const navigate = useNavigate();
  const { agents } = useWorkspace();
  const { divisions } = useTeam();
  const [form, setForm] = useState({
    name: agent.name,
    description: agent.description ?? '',
    instructions: agent.instructions,
    language: agent.language,
    model: agent.model ?? '',
    temperature: String(agent.temperature),
    maxTokens: String(agent.maxTokens),
    handoffMessage: agent.handoffMessage ?? '',
    handoffDivisionId: agent.handoffDivisionId ?? '',
    handoffAgentId: agent.handoffAgentId ?? '',
    monthlyTokenLimit: agent.monthlyTokenLimit === null ? '' : String(agent.monthlyTokenLimit),
  });
  const [state, setState] = useState<SaveState>({ kind: 'idle' });
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setState({ kind: 'saving' });
    setFieldErrors({});
    try {
      const saved = await aiApi.updateAgent(agent.id, {
        name: form.name.trim(),
        description: form.description.trim() || null,
        instructions: form.instructions,
        language: form.language as AgentLanguage,
        model: form.model.trim() || null,
        temperature: Number(form.temperature),
        maxTokens: Number(form.maxTokens),
        handoffMessage: form.handoffMessage.trim() || null,
        handoffDivisionId: form.handoffDivisionId || null,
        handoffAgentId: form.handoffAgentId || null,
        monthlyTokenLimit: numberOrNull(form.monthlyTokenLimit),
      });
      onSaved(saved);
      setState({ kind: 'saved' });
    } catch (err) {
      setFieldErrors(fieldErrorsOf(err, t));
      setState({ kind: 'error', message: problemText(t, err) });
    }
  }

  async function remove() {
    if (!window.confirm(t('aiAgents.confirmDelete', { name: agent.name }))) return;
    try {
      await aiApi.deleteAgent(agent.id);
      toast(t('aiAgents.deleted'), 'success');
      navigate('/ai-agents');
    } catch (err) {
      toast(problemText(t, err), 'error');
    }
  }

  const field = (key: keyof typeof form, label: string, input: React.ReactNode, hint?: string) => (
    <div className={fieldErrors[key] ? 'field field--invalid' : 'field'}>
      <label className="field__label" htmlFor={`ai-${key}`}>
        {label}
      </label>
      {input}
      {hint ? <p className="field__hint">{hint}</p> : null}
      {fieldErrors[key] ? <p className="field__error">{fieldErrors[key]}</p> : null}
    </div>
  );

  return (
    <form className="stack-form card" onSubmit={submit} noValidate data-testid="ai-settings-form">
      <div className="form-grid">
        {field('name', t('aiAgents.fields.name'), <input id="ai-name" className="field__input" value={form.name} onChange={set('name')} />)}
        {field(
          'language',
          t('aiAgents.fields.language'),
          <select id="ai-language" className="field__input" value={form.language} onChange={set('language')} data-testid="ai-language">
            <option value="auto">{t('aiAgents.language.auto')}</option>
            <option value="id">{t('aiAgents.language.id')}</option>
            <option value="en">{t('aiAgents.language.en')}</option>
          </select>,
        )}
      </div>
      {field(
        'description',
        t('aiAgents.fields.description'),
        <input id="ai-description" className="field__input" value={form.description} onChange={set('description')} />,
      )}
      {field(
        'instructions',
        t('aiAgents.fields.instructions'),
        <textarea
          id="ai-instructions"
          className="field__input"
          rows={6}
          value={form.instructions}
          placeholder={t('aiAgents.fields.instructionsPlaceholder')}
          onChange={set('instructions')}
          data-testid="ai-instructions"
        />,
        t('aiAgents.fields.instructionsHint'),
      )}
      <div className="form-grid form-grid--3">
        {field(
          'model',
          t('aiAgents.fields.model'),
          <input id="ai-model" className="field__input" value={form.model} onChange={set('model')} />,
          t('aiAgents.fields.modelHint'),
        )}
        {field(
          'temperature',
          t('aiAgents.fields.temperature'),
          <input
            id="ai-temperature"
            className="field__input"
            type="number"
            step="0.1"
            min="0"
            max="2"
            value={form.temperature}
            onChange={set('temperature')}
          />,
        )}
        {field(
          'maxTokens',
          t('aiAgents.fields.maxTokens'),
          <input
            id="ai-maxTokens"
            className="field__input"
            type="number"
            min="16"
            max="8000"
            value={form.maxTokens}
            onChange={set('maxTokens')}
          />,
        )}
      </div>
      <h3 className="settings-subtitle">{t('aiAgents.handoff.title')}</h3>
      <div className="form-grid">
        {field(
          'handoffDivisionId',
          t('aiAgents.fields.handoffDivision'),
          <select id="ai-handoffDivisionId" className="field__input" value={form.handoffDivisionId} onChange={set('handoffDivisionId')}>
            <option value="">{t('aiAgents.none')}</option>
            {divisions.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>,
        )}
        {field(
          'handoffAgentId',
          t('aiAgents.fields.handoffAgent'),
          <select id="ai-handoffAgentId" className="field__input" value={form.handoffAgentId} onChange={set('handoffAgentId')}>
            <option value="">{t('aiAgents.none')}</option>
            {agents
              .filter((a) => a.status === 'active')
              .map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
          </select>,
        )}
      </div>
      {field(
        'handoffMessage',
        t('aiAgents.fields.handoffMessage'),
        <textarea id="ai-handoffMessage" className="field__input" rows={2} value={form.handoffMessage} onChange={set('handoffMessage')} />,
        t('aiAgents.fields.handoffMessageHint'),
      )}
      {field(
        'monthlyTokenLimit',
        t('aiAgents.fields.monthlyTokenLimit'),
        <input
          id="ai-monthlyTokenLimit"
          className="field__input field__input--short"
          type="number"
          min="1"
          value={form.monthlyTokenLimit}
          onChange={set('monthlyTokenLimit')}
        />,
        t('aiAgents.fields.monthlyTokenLimitHint'),
      )}
      <div className="save-bar">
        <button type="button" className="button button--secondary" onClick={() => void remove()} data-testid="ai-agent-delete">
          {t('aiAgents.delete')}
        </button>
        <SaveStatus state={state} testId="ai-settings-status" />
        <SubmitButton busy={state.kind === 'saving'} busyLabel={t('settings.saving')} data-testid="ai-settings-save">
          {t('common.save')}
        </SubmitButton>
      </div>
    </form>
  );
}

function RulesTab({ agent }: { agent: AiAgent }) {
  const { t } = useTranslation('aiAgents');
  const toast = useToast();
  const { divisions, divisionName } = useTeam();
  const { agents, agentName } = useWorkspace();
  const [assignments, setAssignments] = useState<Assignment[] | null>(null);
  const [rules, setRules] = useState<HandoffRule[] | null>(null);
  const [assignment, setAssignment] = useState({ channel: '', divisionId: '', schedule: 'always' });
  const [rule, setRule] = useState({
    type: 'keyword' as HandoffType,
    keywords: '',
    threshold: '',
    turns: '',
    targetDivisionId: '',
    targetAgentId: '',
  });
  const [ruleError, setRuleError] = useState<string>();

  const load = useCallback(() => {
    aiApi.assignments(agent.id).then(
      (p) => setAssignments(p.data),
      (err: unknown) => toast(errorMessage(t, err), 'error'),
    );
    aiApi.rules(agent.id).then(
      (p) => setRules(p.data),
      (err: unknown) => toast(errorMessage(t, err), 'error'),
    );
  }, [agent.id, t, toast]);
  useEffect(load, [load]);

  async function act(work: () => Promise<unknown>) {
    try {
      await work();
      load();
    } catch (err) {
      toast(problemText(t, err), 'error');
    }
  }

  async function addRule(event: FormEvent) {
    event.preventDefault();
    setRuleError(undefined);
    const config: HandoffRule['config'] = {};
    if (rule.type === 'keyword')
      config.keywords = rule.keywords
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean);
    if ((rule.type === 'low_confidence' || rule.type === 'sentiment') && rule.threshold !== '') config.threshold = Number(rule.threshold);
    if (rule.type === 'max_turns' && rule.turns !== '') config.turns = Number(rule.turns);
    try {
      await aiApi.createRule(agent.id, {
        type: rule.type,
        config,
        targetDivisionId: rule.targetDivisionId || null,
        targetAgentId: rule.targetAgentId || null,
      });
      setRule((r) => ({ ...r, keywords: '', threshold: '', turns: '' }));
      load();
    } catch (err) {
      setRuleError(problemText(t, err));
    }
  }

  const describe = (r: HandoffRule) =>
    [
      r.config.keywords?.length ? r.config.keywords.join(', ') : '',
      r.config.threshold !== undefined ? t('aiAgents.rules.threshold', { value: r.config.threshold }) : '',
      r.config.turns !== undefined ? t('aiAgents.rules.turns', { count: r.config.turns }) : '',
      r.targetDivisionId ? `→ ${divisionName(r.targetDivisionId) ?? ''}` : '',
      r.targetAgentId ? `→ ${agentName(r.targetAgentId) ?? ''}` : '',
    ]
      .filter(Boolean)
      .join(' · ');

  return (
    <div className="ai-columns">
      <section className="card" data-testid="ai-assignments">
        <h3 className="card__title">{t('aiAgents.assignments.title')}</h3>
        <p className="muted">{t('aiAgents.assignments.hint')}</p>
        <ul className="ai-list">
          {assignments?.map((a) => (
            <li key={a.id} className="ai-list__item" data-testid="ai-assignment-row">
              <span>
                {a.channel ? t(`channel.${a.channel}` as 'channel.whatsapp') : t('aiAgents.assignments.anyChannel')}
                {a.divisionId ? ` · ${divisionName(a.divisionId) ?? ''}` : ''} · {t(`aiAgents.schedule.${a.schedule}`)}
              </span>
              <button
                type="button"
                className="link-button link-button--danger"
                onClick={() => void act(() => aiApi.deleteAssignment(agent.id, a.id))}
              >
                {t('aiAgents.remove')}
              </button>
            </li>
          ))}
          {assignments?.length === 0 ? <li className="muted">{t('aiAgents.assignments.empty')}</li> : null}
        </ul>
        <form
          className="inline-row ai-wrap"
          onSubmit={(e) => {
            e.preventDefault();
            void act(() =>
              aiApi.createAssignment(agent.id, {
                channel: (assignment.channel || null) as Assignment['channel'],
                divisionId: assignment.divisionId || null,
                schedule: assignment.schedule as Assignment['schedule'],
              }),
            );
          }}
        >
          <select
            value={assignment.channel}
            onChange={(e) => setAssignment((s) => ({ ...s, channel: e.target.value }))}
            aria-label={t('aiAgents.assignments.channel')}
            data-testid="ai-assignment-channel"
          >
            <option value="">{t('aiAgents.assignments.anyChannel')}</option>
            {['whatsapp', 'messenger', 'instagram', 'email'].map((c) => (
              <option key={c} value={c}>
                {t(`channel.${c}` as 'channel.whatsapp')}
              </option>
            ))}
          </select>
          <select
            value={assignment.divisionId}
            onChange={(e) => setAssignment((s) => ({ ...s, divisionId: e.target.value }))}
            aria-label={t('aiAgents.assignments.division')}
          >
            <option value="">{t('aiAgents.assignments.anyDivision')}</option>
            {divisions.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
          <select
            value={assignment.schedule}
            onChange={(e) => setAssignment((s) => ({ ...s, schedule: e.target.value }))}
            aria-label={t('aiAgents.assignments.schedule')}
            data-testid="ai-assignment-schedule"
          >
            {(['always', 'working_hours', 'outside_working_hours'] as const).map((s) => (
              <option key={s} value={s}>
                {t(`aiAgents.schedule.${s}`)}
              </option>
            ))}
          </select>
          <button type="submit" className="button button--secondary button--sm" data-testid="ai-assignment-add">
            {t('aiAgents.add')}
          </button>
        </form>
      </section>
      <section className="card" data-testid="ai-rules">
        <h3 className="card__title">{t('aiAgents.rules.title')}</h3>
        <p className="muted">{t('aiAgents.rules.hint')}</p>
        <ul className="ai-list">
          {rules?.map((r) => (
            <li key={r.id} className="ai-list__item" data-testid="ai-rule-row" data-type={r.type}>
              <span>
                <strong>{t(`aiAgents.rules.types.${r.type}`)}</strong> <span className="muted">{describe(r)}</span>
              </span>
              <span className="ai-list__actions">
                <Toggle
                  checked={r.active}
                  onChange={(v) => void act(() => aiApi.updateRule(agent.id, r.id, { active: v }))}
                  label={t('aiAgents.activeLabel')}
                />
                <button
                  type="button"
                  className="link-button link-button--danger"
                  onClick={() => void act(() => aiApi.deleteRule(agent.id, r.id))}
                >
                  {t('aiAgents.remove')}
                </button>
              </span>
            </li>
          ))}
        </ul>
        <form className="stack-form" onSubmit={addRule}>
          <FormError message={ruleError} />
          <div className="inline-row ai-wrap">
            <select
              value={rule.type}
              onChange={(e) => setRule((r) => ({ ...r, type: e.target.value as HandoffType }))}
              aria-label={t('aiAgents.rules.type')}
              data-testid="ai-rule-type"
            >
              {HANDOFF_TYPES.map((type) => (
                <option key={type} value={type}>
                  {t(`aiAgents.rules.types.${type}`)}
                </option>
              ))}
            </select>
            {rule.type === 'keyword' ? (
              <input
                className="field__input"
                placeholder={t('aiAgents.rules.keywordsPlaceholder')}
                value={rule.keywords}
                onChange={(e) => setRule((r) => ({ ...r, keywords: e.target.value }))}
                aria-label={t('aiAgents.rules.keywords')}
                data-testid="ai-rule-keywords"
              />
            ) : null}
            {rule.type === 'low_confidence' || rule.type === 'sentiment' ? (
              <input
                className="field__input field__input--short"
                type="number"
                step="0.05"
                placeholder={rule.type === 'sentiment' ? '-0.5' : '0.3'}
                value={rule.threshold}
                onChange={(e) => setRule((r) => ({ ...r, threshold: e.target.value }))}
                aria-label={t('aiAgents.rules.thresholdLabel')}
              />
            ) : null}
            {rule.type === 'max_turns' ? (
              <input
                className="field__input field__input--short"
                type="number"
                min="1"
                placeholder="5"
                value={rule.turns}
                onChange={(e) => setRule((r) => ({ ...r, turns: e.target.value }))}
                aria-label={t('aiAgents.rules.turnsLabel')}
              />
            ) : null}
            <select
              value={rule.targetDivisionId}
              onChange={(e) => setRule((r) => ({ ...r, targetDivisionId: e.target.value }))}
              aria-label={t('aiAgents.fields.handoffDivision')}
            >
              <option value="">{t('aiAgents.rules.defaultTarget')}</option>
              {divisions.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
            <select
              value={rule.targetAgentId}
              onChange={(e) => setRule((r) => ({ ...r, targetAgentId: e.target.value }))}
              aria-label={t('aiAgents.fields.handoffAgent')}
            >
              <option value="">{t('aiAgents.none')}</option>
              {agents
                .filter((a) => a.status === 'active')
                .map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name}
                  </option>
                ))}
            </select>
            <button type="submit" className="button button--secondary button--sm" data-testid="ai-rule-add">
              {t('aiAgents.add')}
            </button>
          </div>
        </form>
      </section>
    </div>
  );
}

export function AgentPage() {
  const { t } = useTranslation('aiAgents');
  const toast = useToast();
  const { aiAgentId = '', tab = 'settings' } = useParams();
  const [agent, setAgent] = useState<AiAgent | null>(null);
  const [error, setError] = useState<string>();
  usePageTitle(agent?.name ?? t('aiAgents.title'));

  useEffect(() => {
    aiApi.agent(aiAgentId).then(setAgent, (err: unknown) => setError(errorMessage(t, err)));
  }, [aiAgentId, t]);

  async function toggle(active: boolean) {
    if (!agent) return;
    try {
      setAgent(await aiApi.toggle(agent.id, active));
    } catch (err) {
      toast(problemText(t, err), 'error');
    }
  }

  if (error) return <FormError message={error} />;
  if (!agent) return <div className="skeleton skeleton--block" />;
  const current: Tab = (TABS as readonly string[]).includes(tab) ? (tab as Tab) : 'settings';
  return (
    <div className="settings-page" data-testid="ai-agent-page" data-agent={agent.name}>
      <header className="settings-page__header">
        <div>
          <h2 className="settings-page__title">{agent.name}</h2>
          <p className="settings-page__intro">{agent.description || t('aiAgents.agentIntro')}</p>
        </div>
        <div className="settings-page__actions">
          <Toggle
            checked={agent.active}
            onChange={(v) => void toggle(v)}
            label={agent.active ? t('aiAgents.active') : t('aiAgents.inactive')}
            testId="ai-agent-active"
          />
        </div>
      </header>
      <nav className="ai-tabs" aria-label={t('aiAgents.tabsLabel')}>
        {TABS.map((name) => (
          <NavLink
            key={name}
            to={`/ai-agents/${agent.id}/${name}`}
            className={name === current ? 'ai-tabs__tab active' : 'ai-tabs__tab'}
            data-testid={`ai-tab-${name}`}
          >
            {t(`aiAgents.tabs.${name}`)}
          </NavLink>
        ))}
      </nav>
      {current === 'settings' ? <SettingsTab agent={agent} onSaved={setAgent} /> : null}
      {current === 'knowledge' ? <KnowledgeTab agent={agent} /> : null}
      {current === 'products' ? <ProductsTab agent={agent} /> : null}
      {current === 'rules' ? <RulesTab agent={agent} /> : null}
      {current === 'playground' ? <PlaygroundTab agent={agent} /> : null}
      {current === 'evaluations' ? <EvaluationsTab agent={agent} /> : null}
      {current === 'usage' ? <AgentUsage agent={agent} /> : null}
    </div>
  );
}
