// Automation: the organization's rules (the built-in ones among them) with the rule builder, the run
// history with each run's explanation, the event log, and the controls (kill switch, loop limits,
// worker metrics).
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { FormError } from '../components/FormError';
import { errorMessage } from '../errors';
import { formatDateTime } from '../format';
import { usePageTitle } from '../usePageTitle';
import { useWorkspace } from '../workspace';
import { Toggle } from '../settings/ui';
import '../settings/settings.css';
import './automation.css';
import { automationApi, type AutomationEvent, type Control, type Metrics, type Outcome, type Rule, type Run } from './api';
import { RuleBuilder } from './RuleBuilder';

const TABS = ['rules', 'runs', 'events', 'controls'] as const;
type Tab = (typeof TABS)[number];

function OutcomeTree({ outcome }: { outcome: Outcome }) {
  return (
    <ul className="outcome-tree">
      <li className={outcome.result ? 'outcome outcome--true' : 'outcome outcome--false'}>
        <span aria-hidden="true">{outcome.result ? '✓' : '✗'}</span> {outcome.kind === 'group' ? `${outcome.match?.toUpperCase()}: ` : ''}
        {outcome.reason}
        {outcome.children?.map((c) => (
          <OutcomeTree key={c.path} outcome={c} />
        ))}
      </li>
    </ul>
  );
}

function RulesTab() {
  const { t, i18n } = useTranslation('automation');
  const [rules, setRules] = useState<Rule[] | null>(null);
  const [error, setError] = useState<string>();
  const [editing, setEditing] = useState<Rule | null | 'new'>(null);
  const load = useCallback(() => {
    automationApi.rules().then(
      (p) => setRules(p.data),
      (err: unknown) => setError(errorMessage(t, err)),
    );
  }, [t]);
  useEffect(load, [load]);
  const act = async (work: Promise<unknown>) => {
    try {
      await work;
      load();
    } catch (err) {
      setError(errorMessage(t, err));
    }
  };
  return (
    <section>
      <div className="automation-toolbar">
        <button type="button" className="button button--primary" onClick={() => setEditing('new')} data-testid="rule-new">
          {t('automation.newRule')}
        </button>
      </div>
      <FormError message={error} />
      {!rules ? <div className="skeleton skeleton--line" /> : null}
      <ul className="cards" data-testid="rule-list">
        {rules?.map((r) => (
          <li key={r.id} className="card entity" data-testid="rule" data-name={r.name}>
            <div className="entity__main">
              <h3 className="card__title">
                {r.name} {r.builtIn ? <span className="pill pill--accent">{t('automation.builtIn')}</span> : null}{' '}
                {r.snoozedUntil && new Date(r.snoozedUntil) > new Date() ? (
                  <span className="pill pill--muted">
                    {t('automation.snoozedUntil', { time: formatDateTime(r.snoozedUntil, i18n.language) })}
                  </span>
                ) : null}
              </h3>
              <p className="muted">
                {r.triggers.map((x) => t(`automation.triggers.${x.replace('.', '_')}` as never)).join(', ')} ·{' '}
                {t('automation.actionCount', { count: r.actions.length })}
                {r.rolloutPercent < 100 ? ` · ${t('automation.rolloutShort', { percent: r.rolloutPercent })}` : ''}
                {r.schedule ? ` · ${r.schedule.cron}` : ''}
              </p>
            </div>
            <div className="entity__actions">
              <Toggle
                checked={r.enabled}
                onChange={(v) => act(automationApi.toggle(r.id, v))}
                label={t('automation.enabled')}
                testId={`rule-toggle-${r.name}`}
              />
              {r.snoozedUntil && new Date(r.snoozedUntil) > new Date() ? (
                <button type="button" className="button button--secondary button--sm" onClick={() => act(automationApi.unsnooze(r.id))}>
                  {t('automation.unsnooze')}
                </button>
              ) : (
                <button type="button" className="button button--secondary button--sm" onClick={() => act(automationApi.snooze(r.id, 60))}>
                  {t('automation.snoozeHour')}
                </button>
              )}
              <button type="button" className="button button--secondary button--sm" onClick={() => setEditing(r)} data-testid="rule-edit">
                {t('automation.edit')}
              </button>
              {r.builtIn ? null : (
                <button
                  type="button"
                  className="button button--secondary button--sm"
                  onClick={() => window.confirm(t('automation.confirmDelete', { name: r.name })) && act(automationApi.deleteRule(r.id))}
                >
                  {t('automation.delete')}
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
      {editing ? <RuleBuilder rule={editing === 'new' ? null : editing} onClose={() => setEditing(null)} onSaved={load} /> : null}
    </section>
  );
}

function RunsTab() {
  const { t, i18n } = useTranslation('automation');
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [status, setStatus] = useState<Run['status'] | ''>('');
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  const load = useCallback(() => {
    automationApi.runs({ status: status || undefined }).then(
      (p) => setRuns(p.data),
      (err: unknown) => setError(errorMessage(t, err)),
    );
  }, [status, t]);
  useEffect(load, [load]);
  return (
    <section>
      <div className="automation-toolbar">
        <select
          value={status}
          onChange={(e) => setStatus(e.target.value as Run['status'] | '')}
          data-testid="runs-status"
          aria-label={t('automation.status')}
        >
          <option value="">{t('automation.allStatuses')}</option>
          {['succeeded', 'failed', 'not_matched', 'skipped', 'waiting', 'running'].map((s) => (
            <option key={s} value={s}>
              {t(`automation.runStatus.${s}` as never)}
            </option>
          ))}
        </select>
        <button type="button" className="button button--secondary button--sm" onClick={load} data-testid="runs-refresh">
          {t('automation.refresh')}
        </button>
        <a
          className="button button--secondary button--sm"
          href={`/api/v1/automation/runs/export${status ? `?status=${status}` : ''}`}
          download
        >
          {t('automation.exportCsv')}
        </a>
      </div>
      <FormError message={error} />
      {runs && runs.length === 0 ? <p className="muted">{t('automation.noRuns')}</p> : null}
      <ul className="run-list" data-testid="run-list">
        {runs?.map((r) => (
          <li key={r.id} className={`run run--${r.status}`} data-testid="run" data-rule={r.ruleName ?? ''} data-status={r.status}>
            <button type="button" className="run__head" onClick={() => setOpen(open === r.id ? null : r.id)} aria-expanded={open === r.id}>
              <span className={`pill run__status run__status--${r.status}`}>{t(`automation.runStatus.${r.status}` as never)}</span>
              <strong>{r.ruleName}</strong>
              <span className="muted">{t(`automation.triggers.${r.eventType.replace('.', '_')}` as never)}</span>
              <span className="muted">{formatDateTime(r.createdAt, i18n.language)}</span>
            </button>
            <p className="run__explanation" data-testid="run-explanation">
              {r.explanation}
            </p>
            {open === r.id ? (
              <div className="run__details" data-testid="run-details">
                {r.conditions ? <OutcomeTree outcome={r.conditions} /> : null}
                {r.actions.length ? (
                  <ol className="run__actions">
                    {r.actions.map((a) => (
                      <li key={a.index} className={`run-action run-action--${a.status}`}>
                        {t(`automation.actions.${a.type}` as never, { defaultValue: a.type })}:{' '}
                        {t(`automation.actionStatus.${a.status}` as never)} — {a.detail}
                      </li>
                    ))}
                  </ol>
                ) : null}
                {r.error ? <p className="form-error">{r.error}</p> : null}
              </div>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

function EventsTab() {
  const { t, i18n } = useTranslation('automation');
  const [events, setEvents] = useState<AutomationEvent[] | null>(null);
  const [status, setStatus] = useState<AutomationEvent['status'] | ''>('');
  const [error, setError] = useState<string>();
  const load = useCallback(() => {
    automationApi.events({ status: status || undefined }).then(
      (p) => setEvents(p.data),
      (err: unknown) => setError(errorMessage(t, err)),
    );
  }, [status, t]);
  useEffect(load, [load]);
  const act = async (work: Promise<unknown>) => {
    try {
      await work;
      load();
    } catch (err) {
      setError(errorMessage(t, err));
    }
  };
  return (
    <section>
      <div className="automation-toolbar">
        <select
          value={status}
          onChange={(e) => setStatus(e.target.value as AutomationEvent['status'] | '')}
          data-testid="events-status"
          aria-label={t('automation.status')}
        >
          <option value="">{t('automation.allStatuses')}</option>
          {['pending', 'processed', 'failed', 'duplicate', 'ignored'].map((s) => (
            <option key={s} value={s}>
              {t(`automation.eventStatus.${s}` as never)}
            </option>
          ))}
        </select>
        <button type="button" className="button button--secondary button--sm" onClick={load}>
          {t('automation.refresh')}
        </button>
        <a
          className="button button--secondary button--sm"
          href={`/api/v1/automation/events/export${status ? `?status=${status}` : ''}`}
          download
        >
          {t('automation.exportCsv')}
        </a>
      </div>
      <FormError message={error} />
      <div className="table-wrap">
        <table className="data-table" data-testid="event-table">
          <thead>
            <tr>
              <th>{t('automation.event')}</th>
              <th>{t('automation.status')}</th>
              <th>{t('automation.occurredAt')}</th>
              <th>{t('automation.depth')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {events?.map((e) => (
              <tr key={e.id} data-testid="event" data-type={e.type} data-status={e.status}>
                <td>{t(`automation.triggers.${e.type.replace('.', '_')}` as never)}</td>
                <td>
                  {t(`automation.eventStatus.${e.status}` as never)}
                  {e.lastError ? <span className="muted"> — {e.lastError}</span> : null}
                </td>
                <td>{formatDateTime(e.occurredAt, i18n.language)}</td>
                <td>{e.depth}</td>
                <td>
                  {e.status === 'failed' ? (
                    <button
                      type="button"
                      className="button button--secondary button--sm"
                      onClick={() => act(automationApi.retryEvent(e.id))}
                    >
                      {t('automation.retry')}
                    </button>
                  ) : null}
                  {e.status !== 'pending' ? (
                    <button
                      type="button"
                      className="button button--secondary button--sm"
                      onClick={() => act(automationApi.reprocessEvent(e.id))}
                    >
                      {t('automation.reprocess')}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function ControlsTab() {
  const { t } = useTranslation('automation');
  const [control, setControl] = useState<Control | null>(null);
  const [metrics, setMetrics] = useState<Metrics | null>(null);
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<string>();
  const load = useCallback(() => {
    automationApi.control().then(setControl, (err: unknown) => setError(errorMessage(t, err)));
    automationApi.metrics().then(setMetrics, (err: unknown) => setError(errorMessage(t, err)));
  }, [t]);
  useEffect(load, [load]);
  const save = async (patch: Partial<Control>) => {
    try {
      setControl(await automationApi.updateControl(patch));
      setError(undefined);
    } catch (err) {
      setError(errorMessage(t, err));
    }
  };
  if (!control) return <div className="skeleton skeleton--line" />;
  return (
    <section className="stack-form">
      <FormError message={error} />
      <Toggle
        checked={control.enabled}
        onChange={(enabled) => save({ enabled })}
        label={t('automation.killSwitch')}
        hint={t('automation.killSwitchHint')}
        testId="automation-enabled"
      />
      <div className="form-grid">
        <label className="mini-field mini-field--stack">
          <span>{t('automation.maxDepth')}</span>
          <input type="number" min={1} max={20} value={control.maxDepth} onChange={(e) => save({ maxDepth: Number(e.target.value) })} />
        </label>
        <label className="mini-field mini-field--stack">
          <span>{t('automation.maxRate')}</span>
          <input
            type="number"
            min={1}
            max={1000}
            value={control.maxRunsPerConversationPerMinute}
            onChange={(e) => save({ maxRunsPerConversationPerMinute: Number(e.target.value) })}
          />
        </label>
      </div>
      {metrics ? (
        <dl className="metrics" data-testid="worker-metrics">
          <dt>{t('automation.metrics.pending')}</dt>
          <dd>{metrics.pending}</dd>
          <dt>{t('automation.metrics.lag')}</dt>
          <dd>{Math.round(metrics.lagMs / 1000)} s</dd>
          <dt>{t('automation.metrics.throughput')}</dt>
          <dd>{metrics.throughput.lastMinute}</dd>
          <dt>{t('automation.metrics.failures')}</dt>
          <dd>{metrics.failures.lastHour}</dd>
          <dt>{t('automation.metrics.latency')}</dt>
          <dd>{metrics.latencyMs.p99 ?? '—'} ms</dd>
        </dl>
      ) : null}
      <div className="form-actions">
        <button
          type="button"
          className="button button--secondary"
          onClick={async () => setMessage(t('automation.retried', { count: (await automationApi.retryFailed()).retried }))}
        >
          {t('automation.retryFailed')}
        </button>
        <button
          type="button"
          className="button button--secondary"
          onClick={async () => setMessage(t('automation.cleaned', { count: (await automationApi.cleanup(30)).deleted }))}
        >
          {t('automation.cleanup')}
        </button>
      </div>
      {message ? (
        <p role="status" className="muted">
          {message}
        </p>
      ) : null}
    </section>
  );
}

export function AutomationPage() {
  const { t } = useTranslation('automation');
  const { can } = useWorkspace();
  const [params, setParams] = useSearchParams();
  const tab: Tab = (TABS as readonly string[]).includes(params.get('tab') ?? '') ? (params.get('tab') as Tab) : 'rules';
  usePageTitle(t('automation.title'));
  return (
    <div className="settings-page automation-page" data-testid="automation-page">
      <header className="settings-page__header">
        <div>
          <h2 className="settings-page__title">{t('automation.title')}</h2>
          <p className="settings-page__intro">{t('automation.intro')}</p>
        </div>
      </header>
      {!can('automation.manage') ? (
        <p className="form-error" role="alert">
          {t('settings.forbidden')}
        </p>
      ) : (
        <>
          <div className="automation-tabs" role="tablist">
            {TABS.map((x) => (
              <button
                key={x}
                type="button"
                role="tab"
                aria-selected={tab === x}
                className={tab === x ? 'automation-tab automation-tab--on' : 'automation-tab'}
                onClick={() => setParams({ tab: x })}
                data-testid={`tab-${x}`}
              >
                {t(`automation.tabs.${x}`)}
              </button>
            ))}
          </div>
          {tab === 'rules' ? <RulesTab /> : tab === 'runs' ? <RunsTab /> : tab === 'events' ? <EventsTab /> : <ControlsTab />}
        </>
      )}
    </div>
  );
}
