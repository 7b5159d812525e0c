// The organization's side of AI: the model endpoint (a local Ollama / llama.cpp server or a cloud
// provider), orchestration rules that choose which agent answers, and usage against the limits.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { FormError } from '../components/FormError';
import { SubmitButton } from '../components/SubmitButton';
import { useToast } from '../components/Toasts';
import { errorMessage } from '../errors';
import { useTeam } from '../teamwork/TeamContext';
import { usePageTitle } from '../usePageTitle';
import { SaveStatus, Toggle, fieldErrorsOf, problemText, type SaveState } from '../settings/ui';
import {
  aiApi,
  type AgentUsage as AgentUsageData,
  type AiAgent,
  type ConnectionTest,
  type ModelSettings,
  type OrchestrationRule,
  type OrgUsage,
  type UsageNumbers,
} from './api';

function PageHeader({ title, intro }: { title: string; intro: string }) {
  usePageTitle(title);
  return (
    <header className="settings-page__header">
      <div>
        <h2 className="settings-page__title">{title}</h2>
        <p className="settings-page__intro">{intro}</p>
      </div>
    </header>
  );
}

export function ModelSettingsPage() {
  const { t } = useTranslation('aiAgents');
  const [settings, setSettings] = useState<ModelSettings | null>(null);
  const [form, setForm] = useState({ baseUrl: '', apiKey: '', model: '', embeddingModel: '', timeoutMs: '30000', monthlyTokenLimit: '' });
  const [state, setState] = useState<SaveState>({ kind: 'idle' });
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [test, setTest] = useState<ConnectionTest | null>(null);
  const [testing, setTesting] = useState(false);
  const [error, setError] = useState<string>();

  const apply = useCallback((s: ModelSettings) => {
    setSettings(s);
    setForm({
      baseUrl: s.baseUrl ?? '',
      apiKey: '',
      model: s.model ?? '',
      embeddingModel: s.embeddingModel ?? '',
      timeoutMs: String(s.timeoutMs),
      monthlyTokenLimit: s.monthlyTokenLimit === null ? '' : String(s.monthlyTokenLimit),
    });
  }, []);
  useEffect(() => {
    aiApi.settings().then(apply, (err: unknown) => setError(errorMessage(t, err)));
  }, [t, apply]);

  async function save(event: FormEvent) {
    event.preventDefault();
    setState({ kind: 'saving' });
    setFieldErrors({});
    try {
      apply(
        await aiApi.updateSettings({
          baseUrl: form.baseUrl.trim() || null,
          ...(form.apiKey.trim() ? { apiKey: form.apiKey.trim() } : {}),
          model: form.model.trim() || null,
          embeddingModel: form.embeddingModel.trim() || null,
          timeoutMs: Number(form.timeoutMs),
          monthlyTokenLimit: form.monthlyTokenLimit.trim() ? Number(form.monthlyTokenLimit) : null,
        }),
      );
      setState({ kind: 'saved' });
    } catch (err) {
      setFieldErrors(fieldErrorsOf(err, t));
      setState({ kind: 'error', message: problemText(t, err) });
    }
  }

  async function runTest() {
    setTesting(true);
    try {
      setTest(await aiApi.testConnection());
    } catch (err) {
      setError(problemText(t, err));
    } finally {
      setTesting(false);
    }
  }

  const input = (key: keyof typeof form, label: string, hint?: string, type = 'text', placeholder?: string) => (
    <div className={fieldErrors[key] ? 'field field--invalid' : 'field'}>
      <label className="field__label" htmlFor={`ai-model-${key}`}>
        {label}
      </label>
      <input
        id={`ai-model-${key}`}
        className="field__input"
        type={type}
        value={form[key]}
        placeholder={placeholder}
        autoComplete="off"
        onChange={(e) => setForm((f) => ({ ...f, [key]: e.target.value }))}
        data-testid={`ai-model-${key}`}
      />
      {hint ? <p className="field__hint">{hint}</p> : null}
      {fieldErrors[key] ? <p className="field__error">{fieldErrors[key]}</p> : null}
    </div>
  );

  return (
    <div className="settings-page" data-testid="ai-model-page">
      <PageHeader title={t('aiAgents.model.title')} intro={t('aiAgents.model.intro')} />
      <FormError message={error} />
      {settings ? (
        <p className="muted" data-testid="ai-model-source">
          {settings.effective
            ? t(`aiAgents.model.source.${settings.source}`, { model: settings.effective.model, baseUrl: settings.effective.baseUrl })
            : t('aiAgents.model.source.none')}
        </p>
      ) : null}
      <form className="stack-form card" onSubmit={save} noValidate>
        {input('baseUrl', t('aiAgents.model.baseUrl'), t('aiAgents.model.baseUrlHint'), 'url', 'http://192.168.1.20:11434/v1')}
        {input(
          'apiKey',
          t('aiAgents.model.apiKey'),
          settings?.apiKey ? t('aiAgents.model.apiKeySet', { masked: settings.apiKey }) : t('aiAgents.model.apiKeyHint'),
          'password',
        )}
        <div className="form-grid">
          {input('model', t('aiAgents.model.model'), undefined, 'text', 'qwen2.5:7b-instruct')}
          {input('embeddingModel', t('aiAgents.model.embeddingModel'), t('aiAgents.model.embeddingHint'), 'text', 'nomic-embed-text')}
        </div>
        <div className="form-grid">
          {input('timeoutMs', t('aiAgents.model.timeout'), t('aiAgents.model.timeoutHint'), 'number')}
          {input('monthlyTokenLimit', t('aiAgents.model.limit'), t('aiAgents.model.limitHint'), 'number')}
        </div>
        <div className="save-bar">
          <button
            type="button"
            className="button button--secondary"
            onClick={() => void runTest()}
            disabled={testing}
            data-testid="ai-model-test"
          >
            {t('aiAgents.model.test')}
          </button>
          <SaveStatus state={state} testId="ai-model-status" />
          <SubmitButton busy={state.kind === 'saving'} busyLabel={t('settings.saving')} data-testid="ai-model-save">
            {t('common.save')}
          </SubmitButton>
        </div>
        {test ? (
          <p
            className={test.ok ? 'save-status save-status--ok' : 'save-status save-status--error'}
            role="status"
            data-testid="ai-model-test-result"
          >
            {test.ok
              ? t('aiAgents.model.testOk', { ms: test.latencyMs, count: test.models.length }) +
                (test.modelAvailable ? '' : ` ${t('aiAgents.model.modelMissing')}`)
              : t('aiAgents.model.testFailed', { message: test.error?.message ?? '' })}
          </p>
        ) : null}
      </form>
      <section className="card ai-help">
        <h3 className="card__title">{t('aiAgents.model.localTitle')}</h3>
        <p>{t('aiAgents.model.localText')}</p>
        <pre className="ai-pre">{'ollama pull qwen2.5:7b-instruct\nollama pull nomic-embed-text\nOLLAMA_HOST=0.0.0.0 ollama serve'}</pre>
        <p className="muted">{t('aiAgents.model.localAllow')}</p>
      </section>
    </div>
  );
}

export function OrchestrationPage() {
  const { t } = useTranslation('aiAgents');
  const toast = useToast();
  const { divisions } = useTeam();
  const [rules, setRules] = useState<OrchestrationRule[] | null>(null);
  const [agents, setAgents] = useState<AiAgent[]>([]);
  const [form, setForm] = useState({ name: '', aiAgentId: '', channel: '', divisionId: '', keywords: '', language: '', priority: '0' });
  const [error, setError] = useState<string>();

  const load = useCallback(() => {
    aiApi.orchestration().then(
      (p) => setRules(p.data),
      (err: unknown) => setError(errorMessage(t, err)),
    );
    aiApi.agents().then(
      (p) => setAgents(p.data),
      () => undefined,
    );
  }, [t]);
  useEffect(load, [load]);

  async function add(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    const conditions: OrchestrationRule['conditions'] = {};
    if (form.channel) conditions.channels = [form.channel as NonNullable<OrchestrationRule['conditions']['channels']>[number]];
    if (form.divisionId) conditions.divisionIds = [form.divisionId];
    if (form.keywords.trim())
      conditions.keywords = form.keywords
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean);
    if (form.language) conditions.languages = [form.language as 'id' | 'en'];
    try {
      await aiApi.createOrchestration({ name: form.name.trim(), aiAgentId: form.aiAgentId, priority: Number(form.priority), conditions });
      setForm((f) => ({ ...f, name: '', keywords: '' }));
      load();
    } catch (err) {
      setError(problemText(t, err));
    }
  }

  const agentName = (id: string) => agents.find((a) => a.id === id)?.name ?? '—';
  const describe = (r: OrchestrationRule) =>
    [
      r.conditions.channels?.map((c) => t(`channel.${c}` as 'channel.whatsapp')).join(', '),
      r.conditions.divisionIds?.map((d) => divisions.find((x) => x.id === d)?.name ?? '').join(', '),
      r.conditions.keywords?.length ? `“${r.conditions.keywords.join('”, “')}”` : '',
      r.conditions.languages?.map((l) => t(`aiAgents.language.${l}`)).join(', '),
    ]
      .filter(Boolean)
      .join(' · ') || t('aiAgents.orchestration.always');

  return (
    <div className="settings-page" data-testid="ai-orchestration-page">
      <PageHeader title={t('aiAgents.orchestration.title')} intro={t('aiAgents.orchestration.intro')} />
      <FormError message={error} />
      <ul className="entity-list">
        {rules?.map((r) => (
          <li key={r.id} className="card entity entity--compact" data-testid="ai-orchestration-row">
            <div className="entity__head">
              <div className="entity__main">
                <h3 className="entity__title">
                  {r.priority}. {r.name} → {agentName(r.aiAgentId)}
                </h3>
                <p className="muted">{describe(r)}</p>
              </div>
              <div className="entity__actions">
                <Toggle
                  checked={r.active}
                  onChange={(v) =>
                    void aiApi.updateOrchestration(r.id, { active: v }).then(load, (err: unknown) => toast(problemText(t, err), 'error'))
                  }
                  label={t('aiAgents.activeLabel')}
                />
                <button
                  type="button"
                  className="link-button link-button--danger"
                  onClick={() => void aiApi.deleteOrchestration(r.id).then(load, (err: unknown) => toast(problemText(t, err), 'error'))}
                >
                  {t('aiAgents.remove')}
                </button>
              </div>
            </div>
          </li>
        ))}
      </ul>
      {rules?.length === 0 ? <p className="muted">{t('aiAgents.orchestration.empty')}</p> : null}
      <form className="stack-form card" onSubmit={add}>
        <h3 className="card__title">{t('aiAgents.orchestration.add')}</h3>
        <div className="form-grid">
          <input
            className="field__input"
            placeholder={t('aiAgents.orchestration.name')}
            aria-label={t('aiAgents.orchestration.name')}
            value={form.name}
            onChange={(e) => setForm((f) => ({ ...f, name: e.target.value }))}
            data-testid="ai-orchestration-name"
          />
          <select
            className="field__input"
            value={form.aiAgentId}
            onChange={(e) => setForm((f) => ({ ...f, aiAgentId: e.target.value }))}
            aria-label={t('aiAgents.orchestration.agent')}
            data-testid="ai-orchestration-agent"
          >
            <option value="">{t('aiAgents.orchestration.agent')}</option>
            {agents.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </div>
        <div className="form-grid form-grid--3">
          <select
            className="field__input"
            value={form.channel}
            onChange={(e) => setForm((f) => ({ ...f, channel: e.target.value }))}
            aria-label={t('aiAgents.assignments.channel')}
          >
            <option value="">{t('aiAgents.assignments.anyChannel')}</option>
            {['whatsapp', 'messenger', 'instagram', 'email'].map((c) => (
              <option key={c} value={c}>
                {t(`channel.${c}` as 'channel.whatsapp')}
              </option>
            ))}
          </select>
          <select
            className="field__input"
            value={form.divisionId}
            onChange={(e) => setForm((f) => ({ ...f, divisionId: e.target.value }))}
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
            className="field__input"
            value={form.language}
            onChange={(e) => setForm((f) => ({ ...f, language: e.target.value }))}
            aria-label={t('aiAgents.fields.language')}
          >
            <option value="">{t('aiAgents.orchestration.anyLanguage')}</option>
            <option value="id">{t('aiAgents.language.id')}</option>
            <option value="en">{t('aiAgents.language.en')}</option>
          </select>
        </div>
        <div className="form-grid">
          <input
            className="field__input"
            placeholder={t('aiAgents.rules.keywordsPlaceholder')}
            aria-label={t('aiAgents.rules.keywords')}
            value={form.keywords}
            onChange={(e) => setForm((f) => ({ ...f, keywords: e.target.value }))}
          />
          <input
            className="field__input field__input--short"
            type="number"
            aria-label={t('aiAgents.orchestration.priority')}
            value={form.priority}
            onChange={(e) => setForm((f) => ({ ...f, priority: e.target.value }))}
          />
        </div>
        <div>
          <button
            type="submit"
            className="button button--secondary button--sm"
            disabled={!form.name.trim() || !form.aiAgentId}
            data-testid="ai-orchestration-add"
          >
            {t('aiAgents.add')}
          </button>
        </div>
      </form>
    </div>
  );
}

function UsageTable({ rows, first }: { rows: (UsageNumbers & { label: string })[]; first: string }) {
  const { t } = useTranslation('aiAgents');
  return (
    <div className="table-wrap">
      <table className="data-table">
        <thead>
          <tr>
            <th>{first}</th>
            <th>{t('aiAgents.usage.requests')}</th>
            <th>{t('aiAgents.usage.failures')}</th>
            <th>{t('aiAgents.usage.tokensIn')}</th>
            <th>{t('aiAgents.usage.tokensOut')}</th>
            <th>{t('aiAgents.usage.latency')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.label} data-testid="ai-usage-row">
              <td>{r.label}</td>
              <td>{r.requests}</td>
              <td className={r.failures ? 'ai-failures' : undefined}>{r.failures}</td>
              <td>{r.tokensIn.toLocaleString()}</td>
              <td>{r.tokensOut.toLocaleString()}</td>
              <td>{r.avgLatencyMs} ms</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function UsagePage() {
  const { t } = useTranslation('aiAgents');
  const [usage, setUsage] = useState<OrgUsage | null>(null);
  const [error, setError] = useState<string>();
  useEffect(() => {
    aiApi.usage().then(setUsage, (err: unknown) => setError(errorMessage(t, err)));
  }, [t]);
  return (
    <div className="settings-page" data-testid="ai-usage-page">
      <PageHeader title={t('aiAgents.usage.title')} intro={t('aiAgents.usage.intro')} />
      <FormError message={error} />
      {usage ? (
        <>
          <div className="stat-tiles">
            <div className="stat-tile">
              <span className="stat-tile__label">{t('aiAgents.usage.requests')}</span>
              <span className="stat-tile__value">{usage.totals.requests}</span>
            </div>
            <div className="stat-tile">
              <span className="stat-tile__label">{t('aiAgents.usage.tokens')}</span>
              <span className="stat-tile__value">{usage.limit.used.toLocaleString()}</span>
            </div>
            <div className="stat-tile">
              <span className="stat-tile__label">{t('aiAgents.usage.remaining')}</span>
              <span className="stat-tile__value">{usage.limit.remaining === null ? '∞' : usage.limit.remaining.toLocaleString()}</span>
            </div>
            <div className="stat-tile">
              <span className="stat-tile__label">{t('aiAgents.usage.failures')}</span>
              <span className="stat-tile__value">{usage.totals.failures}</span>
            </div>
          </div>
          <h3 className="settings-subtitle">{t('aiAgents.usage.byAgent', { month: usage.month })}</h3>
          <UsageTable
            first={t('aiAgents.usage.agent')}
            rows={usage.agents.map((a) => ({ ...a, label: a.name ?? t('aiAgents.usage.team') }))}
          />
          <h3 className="settings-subtitle">{t('aiAgents.usage.byKind')}</h3>
          <UsageTable
            first={t('aiAgents.usage.kind')}
            rows={usage.byKind.map((k) => ({ ...k, label: t(`aiAgents.usage.kinds.${k.kind}` as 'aiAgents.usage.kinds.reply') }))}
          />
          {usage.recentFailures.length ? (
            <>
              <h3 className="settings-subtitle">{t('aiAgents.usage.recentFailures')}</h3>
              <ul className="ai-list" data-testid="ai-usage-failures">
                {usage.recentFailures.map((f, i) => (
                  <li key={i} className="ai-list__item ai-small">
                    <span>
                      {new Date(f.at).toLocaleString()} · {t(`aiAgents.usage.kinds.${f.kind}` as 'aiAgents.usage.kinds.reply')} — {f.error}
                    </span>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </>
      ) : null}
    </div>
  );
}

export function AgentUsage({ agent }: { agent: AiAgent }) {
  const { t } = useTranslation('aiAgents');
  const [usage, setUsage] = useState<AgentUsageData | null>(null);
  const [error, setError] = useState<string>();
  useEffect(() => {
    aiApi.agentUsage(agent.id).then(setUsage, (err: unknown) => setError(errorMessage(t, err)));
  }, [agent.id, t]);
  if (error) return <FormError message={error} />;
  if (!usage) return <div className="skeleton skeleton--block" />;
  const active = usage.days.filter((d) => d.requests > 0).reverse();
  return (
    <section className="card" data-testid="ai-agent-usage">
      <p className="muted">{t('aiAgents.usage.agentIntro', { from: usage.from, to: usage.to, timezone: usage.timezone })}</p>
      <UsageTable first={t('aiAgents.usage.total')} rows={[{ ...usage.totals, label: t('aiAgents.usage.total') }]} />
      {active.length ? (
        <UsageTable first={t('aiAgents.usage.day')} rows={active.map((d) => ({ ...d, label: d.date }))} />
      ) : (
        <p className="muted">{t('aiAgents.usage.none')}</p>
      )}
    </section>
  );
}
