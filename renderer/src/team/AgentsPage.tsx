// Settings → Team: the organization's agents and pending invitations. Invite by a one-time link
// (copied here, and mailed when the appliance has SMTP), add with a password, edit name, email and
// role, suspend or reactivate, delete. The server decides who may do what; its refusals show as sent.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../components/Dialog';
import { SettingsDialogForm, SettingsField, useSettingsForm } from '../settings/SettingsDialogForm';
import { CreateButton, DeleteButton, EditButton, SettingsListPage, SettingsListRow, useSettingsList } from '../settings/SettingsListPage';
import { useSettingsAction } from '../settings/ui';
import { useWorkspace } from '../workspace';
import { CopyField } from './CopyField';
import { membersApi, type Agent, type CreatedInvitation, type Invitation, type Role } from './api';
import './team.css';

function useRoles(): Role[] {
  const [roles, setRoles] = useState<Role[]>([]);
  useEffect(() => {
    membersApi.roles().then(setRoles, () => setRoles([]));
  }, []);
  return roles;
}

function RoleSelect({
  id,
  roles,
  value,
  onChange,
  testId,
}: {
  id: string;
  roles: Role[];
  value: string;
  onChange(v: string): void;
  testId: string;
}) {
  const { t } = useTranslation('team');
  return (
    <select id={id} className="field__input" value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
      <option value="">{t('agents.pickRole')}</option>
      {roles.map((r) => (
        <option key={r.id} value={r.id}>
          {r.builtIn ? t(`roles.builtIn.${r.name as 'owner'}`, { defaultValue: r.name }) : r.name}
        </option>
      ))}
    </select>
  );
}

function InviteDialog({ roles, onClose, onSaved }: { roles: Role[]; onClose(): void; onSaved(): void }) {
  const { t } = useTranslation('team');
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [roleId, setRoleId] = useState(roles.find((r) => r.name === 'agent')?.id ?? '');
  const [created, setCreated] = useState<CreatedInvitation | null>(null);
  const form = useSettingsForm({
    validate: () => {
      const errors: Record<string, string> = {};
      if (!email.trim()) errors.email = t('validation.required');
      if (!roleId) errors.roleId = t('validation.required');
      return errors;
    },
    save: async () => {
      setCreated(await membersApi.invite({ email: email.trim(), name: name.trim() || null, roleId }));
      onSaved();
    },
  });
  if (created) {
    return (
      <Dialog title={t('invite.createdTitle')} onClose={onClose} testId="invite-created" className="dialog--form dialog--settings">
        <div className="stack-form">
          <p>{t('invite.createdHint', { email: created.email })}</p>
          <CopyField value={created.url} label={t('invite.link')} testId="invite-link" />
          <p className="muted" data-testid="invite-mailed">
            {created.mailed ? t('invite.mailed', { email: created.email }) : t('invite.notMailed')}
          </p>
          <div className="form-actions">
            <button type="button" className="button button--primary" onClick={onClose} data-testid="invite-done">
              {t('common.done')}
            </button>
          </div>
        </div>
      </Dialog>
    );
  }
  return (
    <SettingsDialogForm
      title={t('invite.title')}
      testId="invite-dialog"
      saveTestId="invite-save"
      form={form}
      onClose={onClose}
      submitLabel={t('invite.send')}
      intro={<p className="muted">{t('invite.intro')}</p>}
    >
      <SettingsField label={t('agents.email')} htmlFor="invite-email" error={form.fieldErrors.email}>
        <input
          id="invite-email"
          type="email"
          className="field__input"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          data-testid="invite-email"
          data-autofocus
        />
      </SettingsField>
      <SettingsField label={t('agents.nameOptional')} htmlFor="invite-name" error={form.fieldErrors.name}>
        <input
          id="invite-name"
          className="field__input"
          value={name}
          maxLength={200}
          onChange={(e) => setName(e.target.value)}
          data-testid="invite-name"
        />
      </SettingsField>
      <SettingsField label={t('agents.role')} htmlFor="invite-role" error={form.fieldErrors.roleId}>
        <RoleSelect id="invite-role" roles={roles} value={roleId} onChange={setRoleId} testId="invite-role" />
      </SettingsField>
    </SettingsDialogForm>
  );
}

function AgentDialog({ agent, roles, onClose, onSaved }: { agent: Agent | null; roles: Role[]; onClose(): void; onSaved(): void }) {
  const { t } = useTranslation('team');
  const [name, setName] = useState(agent?.name ?? '');
  const [email, setEmail] = useState(agent?.email ?? '');
  const [password, setPassword] = useState('');
  const [roleId, setRoleId] = useState(agent?.role?.id ?? '');
  const form = useSettingsForm({
    validate: () => {
      const errors: Record<string, string> = {};
      if (!name.trim()) errors.name = t('validation.required');
      if (!email.trim()) errors.email = t('validation.required');
      if (!roleId) errors.roleId = t('validation.required');
      if (!agent && password.length < 8) errors.password = t('validation.password');
      return errors;
    },
    save: async () => {
      if (agent) {
        const patch: Record<string, string> = {};
        if (name.trim() !== agent.name) patch.name = name.trim();
        if (email.trim().toLowerCase() !== agent.email) patch.email = email.trim();
        if (roleId !== agent.role?.id) patch.roleId = roleId;
        await membersApi.updateAgent(agent.id, patch);
      } else {
        await membersApi.createAgent({ name: name.trim(), email: email.trim(), password, roleId });
      }
      onSaved();
      onClose();
    },
  });
  return (
    <SettingsDialogForm
      title={agent ? t('agents.edit') : t('agents.add')}
      testId="agent-dialog"
      saveTestId="agent-save"
      form={form}
      onClose={onClose}
      intro={agent ? <p className="muted">{t('agents.passwordByReset')}</p> : null}
    >
      <SettingsField label={t('agents.name')} htmlFor="agent-name" error={form.fieldErrors.name}>
        <input
          id="agent-name"
          className="field__input"
          value={name}
          maxLength={200}
          onChange={(e) => setName(e.target.value)}
          data-testid="agent-name"
          data-autofocus
        />
      </SettingsField>
      <SettingsField label={t('agents.email')} htmlFor="agent-email" error={form.fieldErrors.email}>
        <input
          id="agent-email"
          type="email"
          className="field__input"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          data-testid="agent-email"
        />
      </SettingsField>
      {agent ? null : (
        <SettingsField
          label={t('agents.password')}
          htmlFor="agent-password"
          error={form.fieldErrors.password}
          hint={t('agents.passwordHint')}
        >
          <input
            id="agent-password"
            type="password"
            autoComplete="new-password"
            className="field__input"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            data-testid="agent-password"
          />
        </SettingsField>
      )}
      <SettingsField label={t('agents.role')} htmlFor="agent-role" error={form.fieldErrors.roleId}>
        <RoleSelect id="agent-role" roles={roles} value={roleId} onChange={setRoleId} testId="agent-role" />
      </SettingsField>
    </SettingsDialogForm>
  );
}

export function AgentsPage() {
  const { t, i18n } = useTranslation('team');
  const { me, can } = useWorkspace();
  const manage = can('agents.manage');
  const list = useSettingsList(() => membersApi.agents());
  const [invitations, setInvitations] = useState<Invitation[]>([]);
  const roles = useRoles();
  const act = useSettingsAction();
  const [dialog, setDialog] = useState<'invite' | 'add' | Agent | null>(null);
  const reloadInvitations = () => {
    if (manage) membersApi.invitations().then(setInvitations, () => undefined);
  };
  useEffect(reloadInvitations, [manage]);
  const roleName = (r: { name: string } | null) => (r ? t(`roles.builtIn.${r.name as 'owner'}`, { defaultValue: r.name }) : '—');
  const date = (iso: string) => new Date(iso).toLocaleDateString(i18n.resolvedLanguage, { dateStyle: 'medium' });

  return (
    <SettingsListPage
      list={list}
      actions={
        manage ? (
          <>
            <button type="button" className="button button--secondary" onClick={() => setDialog('add')} data-testid="agent-add">
              {t('agents.add')}
            </button>
            <CreateButton label={t('invite.button')} onClick={() => setDialog('invite')} testId="agent-invite" />
          </>
        ) : null
      }
      toolbar={
        invitations.length ? (
          <section aria-labelledby="pending-invitations">
            <h2 id="pending-invitations" className="team-section-title">
              {t('invite.pending')}
            </h2>
            <ul className="entity-list">
              {invitations.map((inv) => (
                <SettingsListRow
                  key={inv.id}
                  compact
                  titleAs="p"
                  testId="invitation-row"
                  data={{ email: inv.email }}
                  title={inv.email}
                  details={
                    <p className="team-meta">
                      <span className="chip chip--tag">{roleName(inv.role)}</span>
                      <span>{inv.status === 'expired' ? t('invite.expired') : t('invite.expires', { date: date(inv.expiresAt) })}</span>
                    </p>
                  }
                  actions={
                    <button
                      type="button"
                      className="link-button link-button--danger"
                      onClick={() =>
                        void act(() => membersApi.revokeInvitation(inv.id), {
                          confirm: t('invite.confirmRevoke', { email: inv.email }),
                          success: t('invite.revoked'),
                          onSuccess: reloadInvitations,
                        })
                      }
                      data-testid="invitation-revoke"
                    >
                      {t('invite.revoke')}
                    </button>
                  }
                />
              ))}
            </ul>
            <h2 className="team-section-title">{t('agents.title')}</h2>
          </section>
        ) : null
      }
      empty={{ icon: 'user', title: t('agents.emptyTitle') }}
      renderItem={(agent) => {
        const self = agent.id === me.id;
        const suspended = agent.status === 'suspended';
        return (
          <SettingsListRow
            key={agent.id}
            testId="agent-row"
            data={{ email: agent.email, status: agent.status }}
            title={
              <>
                {agent.name} {self ? <span className="muted">({t('agents.you')})</span> : null}
              </>
            }
            details={
              <p className="team-meta">
                <span>{agent.email}</span>
                <span className="chip chip--tag" data-testid="agent-role-chip">
                  {roleName(agent.role)}
                </span>
                {suspended ? (
                  <span className="chip chip--closed" data-testid="agent-suspended">
                    {t('agents.suspended')}
                  </span>
                ) : agent.online ? (
                  <span className="chip">{t('agents.online')}</span>
                ) : null}
              </p>
            }
            actions={
              manage ? (
                <>
                  <EditButton label={t('agents.edit')} onClick={() => setDialog(agent)} />
                  {self ? null : (
                    <>
                      <button
                        type="button"
                        className="link-button"
                        onClick={() =>
                          void act(() => membersApi.updateAgent(agent.id, { status: suspended ? 'active' : 'suspended' }), {
                            confirm: suspended ? undefined : t('agents.confirmSuspend', { name: agent.name }),
                            success: suspended ? t('agents.reactivated') : t('agents.suspendedToast'),
                            onSuccess: list.reload,
                          })
                        }
                        data-testid={suspended ? 'agent-reactivate' : 'agent-suspend'}
                      >
                        {suspended ? t('agents.reactivate') : t('agents.suspend')}
                      </button>
                      <DeleteButton
                        label={t('agents.delete')}
                        onClick={() =>
                          void act(() => membersApi.deleteAgent(agent.id), {
                            confirm: t('agents.confirmDelete', { name: agent.name }),
                            success: t('agents.deleted'),
                            onSuccess: list.reload,
                          })
                        }
                      />
                    </>
                  )}
                </>
              ) : null
            }
          />
        );
      }}
    >
      {dialog === 'invite' ? <InviteDialog roles={roles} onClose={() => setDialog(null)} onSaved={reloadInvitations} /> : null}
      {dialog === 'add' ? <AgentDialog agent={null} roles={roles} onClose={() => setDialog(null)} onSaved={list.reload} /> : null}
      {dialog && typeof dialog === 'object' ? (
        <AgentDialog agent={dialog} roles={roles} onClose={() => setDialog(null)} onSaved={list.reload} />
      ) : null}
    </SettingsListPage>
  );
}
