// Divisions: teams of agents (Sales, Support…). Create, rename, delete; choose members; let a
// division hand its new conversations to its online agents in turn (auto-assign); pick the default
// division new conversations join.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api';
import { Dialog } from '../../components/Dialog';
import { FormError } from '../../components/FormError';
import { Icon } from '../../components/Icon';
import { SubmitButton } from '../../components/SubmitButton';
import { useToast } from '../../components/Toasts';
import { errorMessage } from '../../errors';
import { useTeam } from '../TeamContext';
import { teamApi, type DivisionDetail, type DivisionSummary } from '../api';
import { useWorkspace } from '../../workspace';
import { SettingsPage } from '../../settings/SettingsLayout';
import { Toggle, fieldErrorsOf, problemText } from '../../settings/ui';

function DivisionForm({
  division,
  onClose,
  onSaved,
}: {
  division: DivisionSummary | null;
  onClose(): void;
  onSaved(d: DivisionDetail): void;
}) {
  const { t } = useTranslation('teamwork');
  const { agents } = useWorkspace();
  const [name, setName] = useState(division?.name ?? '');
  const [description, setDescription] = useState(division?.description ?? '');
  const [autoAssign, setAutoAssign] = useState(division?.autoAssign ?? false);
  const [isDefault, setIsDefault] = useState(division?.isDefault ?? false);
  const [members, setMembers] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) {
      setFieldErrors({ name: t('validation.required') });
      return;
    }
    setBusy(true);
    setError(undefined);
    setFieldErrors({});
    try {
      const body = { name: name.trim(), description: description.trim() || null, autoAssign, isDefault };
      const saved = division
        ? await teamApi.updateDivision(division.id, body)
        : await teamApi.createDivision({ ...body, agentIds: members.size ? [...members] : undefined });
      onSaved(saved);
      onClose();
    } catch (err) {
      setFieldErrors(fieldErrorsOf(err, t));
      setError(problemText(t, err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      title={division ? t('divisions.edit') : t('divisions.create')}
      onClose={onClose}
      testId="division-dialog"
      className="dialog--form"
    >
      <form className="stack-form" onSubmit={submit} noValidate>
        <FormError message={error} />
        <div className={fieldErrors.name ? 'field field--invalid' : 'field'}>
          <label className="field__label" htmlFor="division-name">
            {t('divisions.name')}
          </label>
          <input
            id="division-name"
            className="field__input"
            value={name}
            maxLength={200}
            onChange={(e) => setName(e.target.value)}
            data-testid="division-name"
            data-autofocus
          />
          {fieldErrors.name ? <p className="field__error">{fieldErrors.name}</p> : null}
        </div>
        <div className="field">
          <label className="field__label" htmlFor="division-description">
            {t('divisions.description')}
          </label>
          <textarea
            id="division-description"
            className="field__input"
            rows={2}
            maxLength={2000}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </div>
        <Toggle
          checked={autoAssign}
          onChange={setAutoAssign}
          label={t('divisions.autoAssign')}
          hint={t('divisions.autoAssignHint')}
          testId="division-auto-assign"
        />
        <Toggle
          checked={isDefault}
          onChange={setIsDefault}
          label={t('divisions.default')}
          hint={t('divisions.defaultHint')}
          testId="division-default"
        />
        {!division && agents.length ? (
          <fieldset className="member-picker">
            <legend className="field__label">{t('divisions.members')}</legend>
            {agents
              .filter((a) => a.status === 'active')
              .map((a) => (
                <label key={a.id} className="check-field">
                  <input
                    type="checkbox"
                    checked={members.has(a.id)}
                    onChange={(e) =>
                      setMembers((cur) => {
                        const next = new Set(cur);
                        if (e.target.checked) next.add(a.id);
                        else next.delete(a.id);
                        return next;
                      })
                    }
                  />
                  <span>
                    {a.name} <span className="muted">· {a.email}</span>
                  </span>
                </label>
              ))}
          </fieldset>
        ) : null}
        <div className="form-actions">
          <button type="button" className="button button--secondary" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <SubmitButton busy={busy} busyLabel={t('settings.saving')} data-testid="division-save">
            {t('common.save')}
          </SubmitButton>
        </div>
      </form>
    </Dialog>
  );
}

function Members({ division, onChanged }: { division: DivisionSummary; onChanged(): void }) {
  const { t } = useTranslation('teamwork');
  const toast = useToast();
  const { agents } = useWorkspace();
  const [detail, setDetail] = useState<DivisionDetail | null>(null);
  const [adding, setAdding] = useState('');

  const load = useCallback(() => {
    teamApi.division(division.id).then(setDetail, (err: unknown) => toast(errorMessage(t, err), 'error'));
  }, [division.id, t, toast]);
  useEffect(load, [load]);

  async function change(work: () => Promise<unknown>) {
    try {
      await work();
      load();
      onChanged();
    } catch (err) {
      toast(problemText(t, err), 'error');
    }
  }

  if (!detail) return <div className="skeleton skeleton--line" />;
  const candidates = agents.filter((a) => a.status === 'active' && !detail.agents.some((m) => m.id === a.id));
  return (
    <div className="members">
      {detail.agents.length === 0 ? <p className="muted">{t('divisions.noMembers')}</p> : null}
      <ul className="members__list">
        {detail.agents.map((m) => (
          <li key={m.id} className="members__item" data-testid="division-member">
            <span className={m.online ? 'presence-dot presence-dot--on' : 'presence-dot'} aria-hidden="true" />
            <span className="members__name">
              {m.name} <span className="muted">· {m.email}</span>
            </span>
            <span className="muted members__load">{t('divisions.openCount', { count: m.openConversations })}</span>
            <button
              type="button"
              className="link-button link-button--danger"
              onClick={() => void change(() => teamApi.removeDivisionAgents(division.id, [m.id]))}
            >
              {t('divisions.removeMember')}
            </button>
          </li>
        ))}
      </ul>
      {candidates.length ? (
        <form
          className="inline-row"
          onSubmit={(e) => {
            e.preventDefault();
            if (!adding) return;
            const id = adding;
            setAdding('');
            void change(() => teamApi.addDivisionAgents(division.id, [id]));
          }}
        >
          <select
            value={adding}
            onChange={(e) => setAdding(e.target.value)}
            aria-label={t('divisions.addMember')}
            data-testid="division-add-member"
          >
            <option value="">{t('divisions.chooseAgent')}</option>
            {candidates.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
          <button type="submit" className="button button--secondary button--sm" disabled={!adding}>
            <Icon name="userPlus" size={14} />
            {t('divisions.addMember')}
          </button>
        </form>
      ) : null}
    </div>
  );
}

export function DivisionsPage() {
  const { t } = useTranslation('teamwork');
  const toast = useToast();
  const { reloadDivisions } = useTeam();
  const [items, setItems] = useState<DivisionSummary[] | null>(null);
  const [error, setError] = useState<string>();
  const [editing, setEditing] = useState<DivisionSummary | null | 'new'>(null);
  const [open, setOpen] = useState<string | null>(null);

  const load = useCallback(() => {
    teamApi.divisions().then(
      (page) => setItems(page.data),
      (err: unknown) => setError(errorMessage(t, err)),
    );
  }, [t]);
  useEffect(load, [load]);

  const changed = () => {
    load();
    reloadDivisions();
  };

  async function patch(d: DivisionSummary, body: { autoAssign?: boolean; isDefault?: boolean }) {
    try {
      await teamApi.updateDivision(d.id, body);
      changed();
    } catch (err) {
      toast(problemText(t, err), 'error');
    }
  }

  async function remove(d: DivisionSummary) {
    if (!window.confirm(t('divisions.confirmDelete', { name: d.name }))) return;
    try {
      await teamApi.deleteDivision(d.id);
      toast(t('divisions.deleted'), 'success');
      changed();
    } catch (err) {
      toast(err instanceof ApiError && err.status === 409 ? t('divisions.deleteBlocked') : problemText(t, err), 'error');
    }
  }

  return (
    <SettingsPage
      actions={
        <button type="button" className="button button--primary" onClick={() => setEditing('new')} data-testid="division-create">
          <Icon name="plus" size={16} />
          {t('divisions.create')}
        </button>
      }
    >
      <FormError message={error} />
      {items === null && !error ? <div className="skeleton skeleton--block" /> : null}
      {items?.length === 0 ? (
        <div className="empty-state">
          <Icon name="contacts" size={32} />
          <p className="empty-state__title">{t('divisions.emptyTitle')}</p>
          <p>{t('divisions.emptyHint')}</p>
        </div>
      ) : null}
      <ul className="entity-list">
        {items?.map((d) => (
          <li key={d.id} className="card entity" data-testid="division-row" data-name={d.name}>
            <div className="entity__head">
              <div className="entity__main">
                <h3 className="entity__title">
                  {d.name}
                  {d.isDefault ? <span className="pill pill--accent">{t('divisions.defaultBadge')}</span> : null}
                </h3>
                {d.description ? <p className="muted">{d.description}</p> : null}
                <p className="muted">{t('divisions.memberCount', { count: d.agentCount })}</p>
              </div>
              <div className="entity__actions">
                <button
                  type="button"
                  className="icon-button"
                  onClick={() => setEditing(d)}
                  aria-label={t('divisions.edit')}
                  title={t('divisions.edit')}
                >
                  <Icon name="note" />
                </button>
                <button
                  type="button"
                  className="icon-button"
                  onClick={() => void remove(d)}
                  aria-label={t('divisions.delete')}
                  title={t('divisions.delete')}
                >
                  <Icon name="trash" />
                </button>
              </div>
            </div>
            <div className="entity__toggles">
              <Toggle
                checked={d.autoAssign}
                onChange={(v) => void patch(d, { autoAssign: v })}
                label={t('divisions.autoAssign')}
                testId="division-row-auto-assign"
              />
              <Toggle checked={d.isDefault} onChange={(v) => void patch(d, { isDefault: v })} label={t('divisions.default')} />
            </div>
            <button
              type="button"
              className="link-button"
              aria-expanded={open === d.id}
              onClick={() => setOpen((cur) => (cur === d.id ? null : d.id))}
            >
              {open === d.id ? t('divisions.hideMembers') : t('divisions.showMembers')}
            </button>
            {open === d.id ? <Members division={d} onChanged={changed} /> : null}
          </li>
        ))}
      </ul>
      {editing ? (
        <DivisionForm
          division={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            toast(t('settings.saved'), 'success');
            changed();
          }}
        />
      ) : null}
    </SettingsPage>
  );
}
