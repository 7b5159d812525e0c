// SLA policies: first-response and resolution targets (in working minutes) for conversations of a
// priority, channel and/or division; the most specific enabled policy applies. Each policy's
// breaches are listed with a link to the conversation.
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { FormError } from '../../components/FormError';
import { useToast } from '../../components/Toasts';
import { errorMessage } from '../../errors';
import { formatDateTime } from '../../format';
import { CHANNELS, type Channel, type Priority } from '../../inbox/api';
import { SettingsDialogForm, SettingsField, useSettingsForm } from '../../settings/SettingsDialogForm';
import {
  CreateButton,
  DeleteButton,
  EditButton,
  RowDisclosure,
  SettingsListPage,
  SettingsListRow,
  useSettingsList,
} from '../../settings/SettingsListPage';
import { Toggle, useSettingsAction } from '../../settings/ui';
import { formatDuration } from '../SlaBadge';
import { useTeam } from '../TeamContext';
import { teamApi, type SlaBreach, type SlaPolicy } from '../api';
import './SlaPage.css';

const PRIORITIES: Priority[] = ['low', 'normal', 'high', 'urgent'];

/** A target in minutes, entered as hours and minutes. */
function MinutesInput({
  id,
  value,
  onChange,
  testId,
}: {
  id: string;
  value: number | null;
  onChange(v: number | null): void;
  testId: string;
}) {
  const { t } = useTranslation('teamwork');
  const hours = value === null ? '' : String(Math.floor(value / 60));
  const minutes = value === null ? '' : String(value % 60);
  const set = (h: string, m: string) => {
    if (h === '' && m === '') return onChange(null);
    onChange(Math.max(0, (Number(h) || 0) * 60 + (Number(m) || 0)));
  };
  return (
    <span className="duration-input">
      <input
        id={id}
        type="number"
        min={0}
        max={8760}
        inputMode="numeric"
        value={hours}
        onChange={(e) => set(e.target.value, minutes)}
        aria-label={t('sla.hoursUnit')}
        data-testid={`${testId}-hours`}
      />
      <span>{t('sla.hoursUnit')}</span>
      <input
        type="number"
        min={0}
        max={59}
        inputMode="numeric"
        value={minutes}
        onChange={(e) => set(hours, e.target.value)}
        aria-label={t('sla.minutesUnit')}
        data-testid={`${testId}-minutes`}
      />
      <span>{t('sla.minutesUnit')}</span>
    </span>
  );
}

function PolicyForm({ policy, onClose, onSaved }: { policy: SlaPolicy | null; onClose(): void; onSaved(): void }) {
  const { t } = useTranslation(['teamwork', 'inbox']);
  const { divisions } = useTeam();
  const [name, setName] = useState(policy?.name ?? '');
  const [description, setDescription] = useState(policy?.description ?? '');
  const [enabled, setEnabled] = useState(policy?.enabled ?? true);
  const [priority, setPriority] = useState<Priority | ''>(policy?.priority ?? '');
  const [channel, setChannel] = useState<Channel | ''>(policy?.channel ?? '');
  const [divisionId, setDivisionId] = useState(policy?.divisionId ?? '');
  const [firstResponse, setFirstResponse] = useState<number | null>(policy?.firstResponseMinutes ?? 60);
  const [resolution, setResolution] = useState<number | null>(policy?.resolutionMinutes ?? 8 * 60);
  const [atRisk, setAtRisk] = useState(policy?.atRiskPercent ?? 80);
  const [workingHoursOnly, setWorkingHoursOnly] = useState(policy?.workingHoursOnly ?? true);
  const form = useSettingsForm({
    validate: () => {
      const local: Record<string, string> = {};
      if (!name.trim()) local.name = t('validation.required');
      if (!firstResponse && !resolution) local.firstResponseMinutes = t('sla.needTarget');
      return local;
    },
    save: async () => {
      const body = {
        name: name.trim(),
        description: description.trim() || null,
        enabled,
        priority: priority || null,
        channel: channel || null,
        divisionId: divisionId || null,
        firstResponseMinutes: firstResponse || null,
        resolutionMinutes: resolution || null,
        atRiskPercent: atRisk,
        workingHoursOnly,
      };
      if (policy) await teamApi.updateSlaPolicy(policy.id, body);
      else await teamApi.createSlaPolicy(body);
      onSaved();
      onClose();
    },
  });
  const fieldErrors = form.fieldErrors;

  return (
    <SettingsDialogForm
      title={policy ? t('sla.edit') : t('sla.create')}
      testId="sla-dialog"
      saveTestId="sla-save"
      form={form}
      onClose={onClose}
    >
      <SettingsField label={t('sla.name')} htmlFor="sla-name" error={fieldErrors.name}>
        <input
          id="sla-name"
          className="field__input"
          value={name}
          maxLength={200}
          onChange={(e) => setName(e.target.value)}
          data-testid="sla-name"
          data-autofocus
        />
      </SettingsField>
      <SettingsField label={t('sla.description')} htmlFor="sla-description">
        <input
          id="sla-description"
          className="field__input"
          value={description}
          maxLength={2000}
          onChange={(e) => setDescription(e.target.value)}
        />
      </SettingsField>
      <fieldset className="form-grid form-grid--3">
        <legend className="field__label">{t('sla.appliesTo')}</legend>
        <label className="mini-field mini-field--stack">
          <span>{t('sla.priority')}</span>
          <select value={priority} onChange={(e) => setPriority(e.target.value as Priority | '')} data-testid="sla-priority">
            <option value="">{t('sla.any')}</option>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {t(`sla.priorities.${p}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="mini-field mini-field--stack">
          <span>{t('inbox:inbox.channelLabel')}</span>
          <select value={channel} onChange={(e) => setChannel(e.target.value as Channel | '')} data-testid="sla-channel">
            <option value="">{t('sla.any')}</option>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {t(`channel.${c}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="mini-field mini-field--stack">
          <span>{t('inbox:inbox.divisionLabel')}</span>
          <select value={divisionId} onChange={(e) => setDivisionId(e.target.value)} data-testid="sla-division">
            <option value="">{t('sla.any')}</option>
            {divisions.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      <div className="form-grid">
        <SettingsField label={t('sla.firstResponse')} htmlFor="sla-first" error={fieldErrors.firstResponseMinutes}>
          <MinutesInput id="sla-first" value={firstResponse} onChange={setFirstResponse} testId="sla-first" />
        </SettingsField>
        <SettingsField label={t('sla.resolution')} htmlFor="sla-resolution" error={fieldErrors.resolutionMinutes}>
          <MinutesInput id="sla-resolution" value={resolution} onChange={setResolution} testId="sla-resolution" />
        </SettingsField>
      </div>
      <p className="field__hint">{t('sla.targetsHint')}</p>
      <SettingsField label={t('sla.atRiskAt', { percent: atRisk })} htmlFor="sla-risk">
        <input id="sla-risk" type="range" min={10} max={100} step={5} value={atRisk} onChange={(e) => setAtRisk(Number(e.target.value))} />
      </SettingsField>
      <Toggle
        checked={workingHoursOnly}
        onChange={setWorkingHoursOnly}
        label={t('sla.workingHoursOnly')}
        hint={t('sla.workingHoursOnlyHint')}
      />
      <Toggle checked={enabled} onChange={setEnabled} label={t('sla.enabled')} />
    </SettingsDialogForm>
  );
}

function Breaches({ policy }: { policy: SlaPolicy }) {
  const { t, i18n } = useTranslation(['teamwork', 'inbox']);
  const [items, setItems] = useState<SlaBreach[] | null>(null);
  const [error, setError] = useState<string>();
  useEffect(() => {
    teamApi.slaBreaches(policy.id).then(
      (page) => setItems(page.data),
      (err: unknown) => setError(errorMessage(t, err)),
    );
  }, [policy.id, t]);
  if (error) return <FormError message={error} />;
  if (!items) return <div className="skeleton skeleton--line" />;
  if (items.length === 0) return <p className="muted">{t('sla.noBreaches')}</p>;
  return (
    <div className="table-wrap">
      <table className="data-table" data-testid="sla-breaches">
        <thead>
          <tr>
            <th>{t('sla.breachedAt')}</th>
            <th>{t('sla.target')}</th>
            <th>{t('sla.dueAt')}</th>
            <th>{t('inbox:inbox.conversation')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((b) => (
            <tr key={b.id}>
              <td>{formatDateTime(b.breachedAt, i18n.resolvedLanguage)}</td>
              <td>
                {t(`sla.metric.${b.metric}`)} · {formatDuration(b.targetMinutes * 60_000, t)}
              </td>
              <td>{formatDateTime(b.dueAt, i18n.resolvedLanguage)}</td>
              <td>
                {b.conversation ? (
                  <Link to={`/inbox/${encodeURIComponent(b.conversation.id)}`}>
                    {t(`channel.${b.conversation.channel}`)} ·{' '}
                    {t(`conversationStatus.${b.conversation.status as 'open'}`, { defaultValue: b.conversation.status })}
                  </Link>
                ) : (
                  <span className="muted">{t('sla.conversationGone')}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function SlaPage() {
  const { t } = useTranslation('teamwork');
  const toast = useToast();
  const act = useSettingsAction();
  const { divisionName } = useTeam();
  const list = useSettingsList(() => teamApi.slaPolicies().then((page) => page.data));
  const [editing, setEditing] = useState<SlaPolicy | null | 'new'>(null);
  const [open, setOpen] = useState<string | null>(null);

  const toggle = (p: SlaPolicy, enabled: boolean) => act(() => teamApi.updateSlaPolicy(p.id, { enabled }), { onSuccess: list.reload });
  const remove = (p: SlaPolicy) =>
    act(() => teamApi.deleteSlaPolicy(p.id), { confirm: t('sla.confirmDelete', { name: p.name }), onSuccess: list.reload });

  const conditions = (p: SlaPolicy) =>
    [
      p.priority ? t(`sla.priorities.${p.priority}`) : null,
      p.channel ? t(`channel.${p.channel}`) : null,
      p.divisionId ? (divisionName(p.divisionId) ?? '—') : null,
    ]
      .filter(Boolean)
      .join(' · ') || t('sla.allConversations');

  return (
    <SettingsListPage
      list={list}
      actions={<CreateButton label={t('sla.create')} onClick={() => setEditing('new')} testId="sla-create" />}
      empty={{ icon: 'gauge', title: t('sla.emptyTitle'), hint: t('sla.emptyHint') }}
      renderItem={(p) => (
        <SettingsListRow
          key={p.id}
          testId="sla-policy"
          data={{ name: p.name }}
          title={
            <>
              {p.name}
              {!p.enabled ? <span className="pill pill--muted">{t('sla.disabled')}</span> : null}
            </>
          }
          details={
            <>
              {p.description ? <p className="muted">{p.description}</p> : null}
              <p className="muted">{conditions(p)}</p>
              <dl className="targets">
                <div>
                  <dt>{t('sla.firstResponse')}</dt>
                  <dd>{p.firstResponseMinutes ? formatDuration(p.firstResponseMinutes * 60_000, t) : '—'}</dd>
                </div>
                <div>
                  <dt>{t('sla.resolution')}</dt>
                  <dd>{p.resolutionMinutes ? formatDuration(p.resolutionMinutes * 60_000, t) : '—'}</dd>
                </div>
                <div>
                  <dt>{t('sla.atRisk')}</dt>
                  <dd>{p.atRiskPercent}%</dd>
                </div>
                <div>
                  <dt>{t('sla.clock')}</dt>
                  <dd>{p.workingHoursOnly ? t('sla.workingHours') : t('sla.aroundTheClock')}</dd>
                </div>
              </dl>
            </>
          }
          actions={
            <>
              <Toggle
                checked={p.enabled}
                onChange={(v) => void toggle(p, v)}
                label={<span className="visually-hidden">{t('sla.enabled')}</span>}
              />
              <EditButton label={t('sla.edit')} onClick={() => setEditing(p)} />
              <DeleteButton label={t('sla.delete')} onClick={() => void remove(p)} />
            </>
          }
        >
          <RowDisclosure
            open={open === p.id}
            onToggle={() => setOpen((cur) => (cur === p.id ? null : p.id))}
            showLabel={t('sla.showBreaches')}
            hideLabel={t('sla.hideBreaches')}
            testId="sla-show-breaches"
          >
            <Breaches policy={p} />
          </RowDisclosure>
        </SettingsListRow>
      )}
    >
      {editing ? (
        <PolicyForm
          policy={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            toast(t('settings.saved'), 'success');
            list.reload();
          }}
        />
      ) : null}
    </SettingsListPage>
  );
}
