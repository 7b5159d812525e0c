// The organization's dashboard: KPIs, trends, channels, agents, CSAT and WhatsApp (pricing and
// templates) for a period, with charts (Recharts) and a CSV export of each table.
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { errorMessage } from '../errors';
import { usePageTitle } from '../usePageTitle';
import { useSession } from '../components/RequireAuth';
import {
  analyticsApi,
  csvUrl,
  type AgentRow,
  type AnalyticsChannel,
  type AnalyticsFilter,
  type ChannelRow,
  type Overview,
  type TemplateRow,
  type TrendBucket,
  type WaConversations,
  type WaMessages,
} from './api';
import './analytics.css';

const CHANNELS: readonly AnalyticsChannel[] = ['whatsapp', 'messenger', 'instagram', 'email'];
const COLORS = { primary: '#4f46e5', success: '#16a34a', warning: '#d97706', muted: '#94a3b8' };

/** Today's date on the organization's calendar (the server reads bare dates in its time zone). */
const todayIn = (timeZone: string) => {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  } catch {
    return new Date().toISOString().slice(0, 10);
  }
};
const addDays = (day: string, n: number) => {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
};

/** Seconds as "2h 05m", "12m", "40s"; a dash when there is none. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

interface Data {
  overview: Overview;
  trends: TrendBucket[];
  agents: AgentRow[];
  channels: ChannelRow[];
  waMessages: WaMessages;
  waConversations: WaConversations;
  templates: TemplateRow[];
}

function Card({ title, csv, children, testId }: { title: string; csv?: string; children: ReactNode; testId?: string }) {
  const { t } = useTranslation('analytics');
  return (
    <section className="card analytics-card" data-testid={testId}>
      <div className="analytics-card__head">
        <h2 className="card__title">{title}</h2>
        {csv ? (
          <a className="button button--secondary button--sm" href={csv} download data-testid={testId ? `${testId}-csv` : undefined}>
            {t('analytics.csv')}
          </a>
        ) : null}
      </div>
      {children}
    </section>
  );
}

function Kpi({ label, value, hint, testId }: { label: string; value: ReactNode; hint?: string; testId?: string }) {
  return (
    <div className="stat-tile" data-testid={testId}>
      <span className="stat-tile__label">{label}</span>
      <span className="stat-tile__value">{value}</span>
      {hint ? <span className="stat-tile__hint">{hint}</span> : null}
    </div>
  );
}

export function AnalyticsPage() {
  const { t } = useTranslation('analytics');
  usePageTitle(t('analytics.title'));
  const { session } = useSession();
  const today = todayIn(session.tenant.timezone);
  const [from, setFrom] = useState(addDays(today, -29));
  const [until, setUntil] = useState(today);
  const [channel, setChannel] = useState<AnalyticsChannel | ''>('');
  const [interval, setInterval] = useState<'day' | 'week'>('day');
  const [data, setData] = useState<Data | null>(null);
  const [error, setError] = useState<string | null>(null);
  const filter: AnalyticsFilter = useMemo(
    () => ({ from, to: addDays(until, 1), channel: channel || undefined, interval }),
    [from, until, channel, interval],
  );

  useEffect(() => {
    if (!from || !until || from > until) return;
    let cancelled = false;
    setError(null);
    Promise.all([
      analyticsApi.overview(filter),
      analyticsApi.trends(filter),
      analyticsApi.agents(filter),
      analyticsApi.channels(filter),
      analyticsApi.waMessages(filter),
      analyticsApi.waConversations(filter),
      analyticsApi.templates(filter),
    ]).then(
      ([overview, trends, agents, channels, waMessages, waConversations, templates]) => {
        if (cancelled) return;
        setData({
          overview,
          trends: trends.buckets,
          agents: agents.agents,
          channels: channels.channels,
          waMessages,
          waConversations,
          templates: templates.templates,
        });
      },
      (err) => !cancelled && setError(errorMessage(t, err)),
    );
    return () => {
      cancelled = true;
    };
  }, [filter, from, until, t]);

  const o = data?.overview;
  return (
    <div className="analytics" data-testid="analytics-page">
      <header className="analytics__header">
        <h1 className="page-title">{t('analytics.title')}</h1>
        <div className="analytics__filters">
          <label className="field">
            <span className="field__label">{t('analytics.from')}</span>
            <input
              type="date"
              className="field__input"
              value={from}
              max={until}
              onChange={(e) => setFrom(e.target.value)}
              data-testid="analytics-from"
            />
          </label>
          <label className="field">
            <span className="field__label">{t('analytics.to')}</span>
            <input
              type="date"
              className="field__input"
              value={until}
              min={from}
              onChange={(e) => setUntil(e.target.value)}
              data-testid="analytics-to"
            />
          </label>
          <label className="field">
            <span className="field__label">{t('analytics.channel')}</span>
            <select
              className="field__input"
              value={channel}
              onChange={(e) => setChannel(e.target.value as AnalyticsChannel | '')}
              data-testid="analytics-channel"
            >
              <option value="">{t('analytics.allChannels')}</option>
              {CHANNELS.map((c) => (
                <option key={c} value={c}>
                  {t(`channel.${c}` as 'channel.whatsapp')}
                </option>
              ))}
            </select>
          </label>
        </div>
      </header>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {!data || !o ? (
        <div className="page-status" role="status">
          <span className="spinner spinner--dark" aria-hidden="true" />
        </div>
      ) : (
        <>
          <Card title={t('analytics.overview')} csv={csvUrl('overview', filter)} testId="analytics-overview">
            <div className="stat-tiles">
              <Kpi label={t('analytics.kpi.new')} value={o.conversations.new} testId="kpi-new" />
              <Kpi label={t('analytics.kpi.open')} value={o.conversations.open} testId="kpi-open" />
              <Kpi label={t('analytics.kpi.resolved')} value={o.conversations.resolved} testId="kpi-resolved" />
              <Kpi label={t('analytics.kpi.messagesIn')} value={o.messages.inbound} testId="kpi-in" />
              <Kpi label={t('analytics.kpi.messagesOut')} value={o.messages.outbound} testId="kpi-out" />
              <Kpi
                label={t('analytics.kpi.firstResponse')}
                value={duration(o.firstResponse.workingHours.median)}
                hint={t('analytics.kpi.wallP90', {
                  wall: duration(o.firstResponse.wallClock.median),
                  p90: duration(o.firstResponse.workingHours.p90),
                })}
                testId="kpi-frt"
              />
              <Kpi
                label={t('analytics.kpi.resolution')}
                value={duration(o.resolution.workingHours.median)}
                hint={t('analytics.kpi.wallP90', {
                  wall: duration(o.resolution.wallClock.median),
                  p90: duration(o.resolution.workingHours.p90),
                })}
                testId="kpi-resolution"
              />
              <Kpi
                label={t('analytics.kpi.sla')}
                value={o.sla.attainment === null ? '–' : `${o.sla.attainment}%`}
                hint={t('analytics.kpi.slaHint', { met: o.sla.met, breached: o.sla.breached })}
                testId="kpi-sla"
              />
              <Kpi
                label={t('analytics.kpi.csat')}
                value={o.csat.csat === null ? '–' : `${o.csat.csat}%`}
                hint={t('analytics.kpi.csatHint', { answered: o.csat.answered, average: o.csat.average ?? '–' })}
                testId="kpi-csat"
              />
            </div>
            <p className="analytics__note">{t('analytics.workingNote')}</p>
          </Card>

          <Card title={t('analytics.trends')} csv={csvUrl('trends', filter, { interval })} testId="analytics-trends">
            <div className="analytics__toolbar">
              <select
                className="field__input field__input--short"
                value={interval}
                onChange={(e) => setInterval(e.target.value as 'day' | 'week')}
                aria-label={t('analytics.interval')}
              >
                <option value="day">{t('analytics.byDay')}</option>
                <option value="week">{t('analytics.byWeek')}</option>
              </select>
            </div>
            <div className="analytics__chart" data-testid="chart-trends">
              <ResponsiveContainer width="100%" height={260}>
                <LineChart data={data.trends}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="label" fontSize={12} />
                  <YAxis allowDecimals={false} fontSize={12} />
                  <Tooltip />
                  <Legend />
                  <Line type="monotone" dataKey="newConversations" name={t('analytics.kpi.new')} stroke={COLORS.primary} dot={false} />
                  <Line
                    type="monotone"
                    dataKey="resolvedConversations"
                    name={t('analytics.kpi.resolved')}
                    stroke={COLORS.success}
                    dot={false}
                  />
                </LineChart>
              </ResponsiveContainer>
            </div>
            <div className="analytics__chart" data-testid="chart-messages">
              <ResponsiveContainer width="100%" height={220}>
                <BarChart data={data.trends}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="label" fontSize={12} />
                  <YAxis allowDecimals={false} fontSize={12} />
                  <Tooltip />
                  <Legend />
                  <Bar dataKey="messagesIn" name={t('analytics.kpi.messagesIn')} fill={COLORS.primary} />
                  <Bar dataKey="messagesOut" name={t('analytics.kpi.messagesOut')} fill={COLORS.warning} />
                </BarChart>
              </ResponsiveContainer>
            </div>
          </Card>

          <div className="card-grid">
            <Card title={t('analytics.channels')} csv={csvUrl('channels', filter)} testId="analytics-channels">
              <div className="analytics__chart" data-testid="chart-channels">
                <ResponsiveContainer width="100%" height={200}>
                  <BarChart data={data.channels.map((c) => ({ ...c, name: t(`channel.${c.channel}` as 'channel.whatsapp') }))}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis dataKey="name" fontSize={12} />
                    <YAxis allowDecimals={false} fontSize={12} />
                    <Tooltip />
                    <Bar dataKey="newConversations" name={t('analytics.kpi.new')} fill={COLORS.primary} />
                    <Bar dataKey="resolved" name={t('analytics.kpi.resolved')} fill={COLORS.success} />
                  </BarChart>
                </ResponsiveContainer>
              </div>
              <Table
                head={[
                  t('analytics.channel'),
                  t('analytics.kpi.new'),
                  t('analytics.kpi.resolved'),
                  t('analytics.kpi.open'),
                  t('analytics.kpi.messagesIn'),
                  t('analytics.kpi.messagesOut'),
                  t('analytics.kpi.firstResponse'),
                ]}
                rows={data.channels.map((c) => [
                  t(`channel.${c.channel}` as 'channel.whatsapp'),
                  c.newConversations,
                  c.resolved,
                  c.open,
                  c.messagesIn,
                  c.messagesOut,
                  duration(c.firstResponse.workingHours.median),
                ])}
              />
            </Card>
            <Card title={t('analytics.csat')} csv={csvUrl('csat', filter)} testId="analytics-csat">
              <div className="analytics__chart" data-testid="chart-csat">
                <ResponsiveContainer width="100%" height={200}>
                  <BarChart data={['1', '2', '3', '4', '5'].map((score) => ({ score, answers: o.csat.distribution[score] ?? 0 }))}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis dataKey="score" fontSize={12} />
                    <YAxis allowDecimals={false} fontSize={12} />
                    <Tooltip />
                    <Bar dataKey="answers" name={t('analytics.answers')} fill={COLORS.warning} />
                  </BarChart>
                </ResponsiveContainer>
              </div>
            </Card>
          </div>

          <Card title={t('analytics.agents')} csv={csvUrl('agents', filter)} testId="analytics-agents">
            <Table
              head={[
                t('analytics.agent'),
                t('analytics.kpi.new'),
                t('analytics.kpi.resolved'),
                t('analytics.kpi.open'),
                t('analytics.sent'),
                t('analytics.firstResponses'),
                t('analytics.kpi.firstResponse'),
                t('analytics.kpi.resolution'),
                t('analytics.kpi.csat'),
              ]}
              rows={data.agents.map((a) => [
                a.name,
                a.newConversations,
                a.resolved,
                a.open,
                a.messagesSent,
                a.firstResponses,
                duration(a.firstResponse.workingHours.median),
                duration(a.resolution.workingHours.median),
                a.csat.average ?? '–',
              ])}
            />
          </Card>

          <div className="card-grid">
            <Card title={t('analytics.waPricing')} csv={csvUrl('whatsapp/messages', filter)} testId="analytics-wa-messages">
              <p className="analytics__note">
                {t('analytics.waTotals', {
                  outbound: data.waMessages.totals.outbound,
                  delivered: data.waMessages.totals.delivered,
                  read: data.waMessages.totals.read,
                  failed: data.waMessages.totals.failed,
                })}
              </p>
              <Table
                head={[
                  t('analytics.pricingModel'),
                  t('analytics.category'),
                  t('analytics.pricingType'),
                  t('analytics.messages'),
                  t('analytics.billable'),
                ]}
                rows={data.waMessages.pricing.map((p) => [
                  p.pricingModel ?? '–',
                  p.category ?? '–',
                  p.pricingType ?? '–',
                  p.messages,
                  p.billable,
                ])}
              />
            </Card>
            <Card title={t('analytics.waConversations')} csv={csvUrl('whatsapp/conversations', filter)} testId="analytics-wa-conversations">
              <Table
                head={[t('analytics.category'), t('analytics.pricingModel'), t('analytics.conversations'), t('analytics.billable')]}
                rows={data.waConversations.categories.map((c) => [c.category ?? '–', c.pricingModel ?? '–', c.conversations, c.billable])}
              />
            </Card>
          </div>

          <Card title={t('analytics.templates')} csv={csvUrl('whatsapp/templates', filter)} testId="analytics-templates">
            <Table
              head={[
                t('analytics.template'),
                t('analytics.sent'),
                t('analytics.delivered'),
                t('analytics.read'),
                t('analytics.replied'),
                t('analytics.failed'),
              ]}
              rows={data.templates.map((x) => [x.name, x.sent, x.delivered, x.read, x.replied, x.failed])}
            />
          </Card>
        </>
      )}
    </div>
  );
}

function Table({ head, rows }: { head: string[]; rows: (string | number)[][] }) {
  const { t } = useTranslation('analytics');
  if (rows.length === 0) return <p className="analytics__empty">{t('analytics.empty')}</p>;
  return (
    <div className="table-wrap">
      <table className="data-table">
        <thead>
          <tr>
            {head.map((h) => (
              <th key={h}>{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              {r.map((cell, j) => (
                <td key={j} className={typeof cell === 'number' ? 'num' : undefined}>
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
