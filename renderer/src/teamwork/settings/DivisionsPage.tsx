// Divisions: teams of agents (Sales, Support…). Create, rename, delete; choose members; let a
// division hand its new conversations to its online agents in turn (auto-assign); pick the default
// division new conversations join.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api';
import { Icon } from '../../components/Icon';
import { useToast } from '../../components/Toasts';
import { errorMessage } from '../../errors';
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
import { Toggle, problemText, useSettingsAction } from '../../settings/ui';
import { useWorkspace } from '../../workspace';
import { useTeam } from '../TeamContext';
import { teamApi, type DivisionDetail, type DivisionSummary } from '../api';
import './DivisionsPage.css';

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
  const form = useSettingsForm({
    validate: () => (name.trim() ? undefined : { name: t('validation.required') }),
    save: async () => {
      const body = { name: name.trim(), description: description.trim() || null, autoAssign, isDefault };
      const saved = division
        ? await teamApi.updateDivision(division.id, body)
        : await teamApi.createDivision({ ...body, agentIds: members.size ? [...members] : undefined });
      onSaved(saved);
      onClose();
    },
  });

  return (
    <SettingsDialogForm
      title={division ? t('divisions.edit') : t('divisions.create')}
      testId="division-dialog"
      saveTestId="division-save"
      form={form}
      onClose={onClose}
    >
      <SettingsField label={t('divisions.name')} htmlFor="division-name" error={form.fieldErrors.name}>
        <input
          id="division-name"
          className="field__input"
          value={name}
          maxLength={200}
          onChange={(e) => setName(e.target.value)}
          data-testid="division-name"
          data-autofocus
        />
      </SettingsField>
      <SettingsField label={t('divisions.description')} htmlFor="division-description">
        <textarea
          id="division-description"
          className="field__input"
          rows={2}
          maxLength={2000}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
      </SettingsField>
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
    </SettingsDialogForm>
  );
}

function Members({ division, onChanged }: { division: DivisionSummary; onChanged(): void }) {
  const { t } = useTranslation('teamwork');
  const toast = useToast();
  const act = useSettingsAction();
  const { agents } = useWorkspace();
  const [detail, setDetail] = useState<DivisionDetail | null>(null);
  const [adding, setAdding] = useState('');

  const load = useCallback(() => {
    teamApi.division(division.id).then(setDetail, (err: unknown) => toast(errorMessage(t, err), 'error'));
  }, [division.id, t, toast]);
  useEffect(load, [load]);

  const change = (work: () => Promise<unknown>) =>
    act(work, {
      onSuccess: () => {
        load();
        onChanged();
      },
    });

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
  const act = useSettingsAction();
  const { reloadDivisions } = useTeam();
  const list = useSettingsList(() => teamApi.divisions().then((page) => page.data));
  const [editing, setEditing] = useState<DivisionSummary | null | 'new'>(null);
  const [open, setOpen] = useState<string | null>(null);

  const changed = () => {
    list.reload();
    reloadDivisions();
  };

  const patch = (d: DivisionSummary, body: { autoAssign?: boolean; isDefault?: boolean }) =>
    act(() => teamApi.updateDivision(d.id, body), { onSuccess: changed });

  const remove = (d: DivisionSummary) =>
    act(() => teamApi.deleteDivision(d.id), {
      confirm: t('divisions.confirmDelete', { name: d.name }),
      success: t('divisions.deleted'),
      onSuccess: changed,
      errorText: (err) => (err instanceof ApiError && err.status === 409 ? t('divisions.deleteBlocked') : problemText(t, err)),
    });

  return (
    <SettingsListPage
      list={list}
      actions={<CreateButton label={t('divisions.create')} onClick={() => setEditing('new')} testId="division-create" />}
      empty={{ icon: 'contacts', title: t('divisions.emptyTitle'), hint: t('divisions.emptyHint') }}
      renderItem={(d) => (
        <SettingsListRow
          key={d.id}
          testId="division-row"
          data={{ name: d.name }}
          title={
            <>
              {d.name}
              {d.isDefault ? <span className="pill pill--accent">{t('divisions.defaultBadge')}</span> : null}
            </>
          }
          details={
            <>
              {d.description ? <p className="muted">{d.description}</p> : null}
              <p className="muted">{t('divisions.memberCount', { count: d.agentCount })}</p>
            </>
          }
          actions={
            <>
              <EditButton label={t('divisions.edit')} onClick={() => setEditing(d)} />
              <DeleteButton label={t('divisions.delete')} onClick={() => void remove(d)} />
            </>
          }
        >
          <div className="entity__toggles">
            <Toggle
              checked={d.autoAssign}
              onChange={(v) => void patch(d, { autoAssign: v })}
              label={t('divisions.autoAssign')}
              testId="division-row-auto-assign"
            />
            <Toggle checked={d.isDefault} onChange={(v) => void patch(d, { isDefault: v })} label={t('divisions.default')} />
          </div>
          <RowDisclosure
            open={open === d.id}
            onToggle={() => setOpen((cur) => (cur === d.id ? null : d.id))}
            showLabel={t('divisions.showMembers')}
            hideLabel={t('divisions.hideMembers')}
          >
            <Members division={d} onChanged={changed} />
          </RowDisclosure>
        </SettingsListRow>
      )}
    >
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
    </SettingsListPage>
  );
}
