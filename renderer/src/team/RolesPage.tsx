// Settings → Roles: the built-in roles and custom ones with their permissions, as a list to edit
// and as a matrix (permission × role) to compare them at a glance.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SettingsDialogForm, SettingsField, useSettingsForm } from '../settings/SettingsDialogForm';
import { CreateButton, DeleteButton, EditButton, SettingsListPage, SettingsListRow, useSettingsList } from '../settings/SettingsListPage';
import { useSettingsAction } from '../settings/ui';
import { useWorkspace } from '../workspace';
import { membersApi, type PermissionInfo, type Role } from './api';
import { PermissionPicker, groupPermissions } from './PermissionPicker';
import './team.css';

function RoleDialog({
  role,
  permissions,
  onClose,
  onSaved,
}: {
  role: Role | null;
  permissions: PermissionInfo[];
  onClose(): void;
  onSaved(): void;
}) {
  const { t } = useTranslation('team');
  const { can } = useWorkspace();
  const [name, setName] = useState(role?.name ?? '');
  const [description, setDescription] = useState(role?.description ?? '');
  const [chosen, setChosen] = useState<Set<string>>(new Set(role?.permissions ?? []));
  const fixed = role?.builtIn && role.name === 'owner';
  const form = useSettingsForm({
    validate: () => (name.trim() ? undefined : { name: t('validation.required') }),
    save: async () => {
      const body = { description: description.trim() || null, permissions: [...chosen] as never };
      if (role)
        await membersApi.updateRole(
          role.id,
          fixed ? { description: body.description } : role.builtIn ? body : { ...body, name: name.trim() },
        );
      else await membersApi.createRole({ ...body, name: name.trim() });
      onSaved();
      onClose();
    },
  });
  return (
    <SettingsDialogForm
      title={role ? t('roles.edit') : t('roles.create')}
      testId="role-dialog"
      saveTestId="role-save"
      form={form}
      onClose={onClose}
      intro={role?.builtIn ? <p className="muted">{fixed ? t('roles.ownerFixed') : t('roles.builtInHint')}</p> : null}
    >
      <SettingsField label={t('roles.name')} htmlFor="role-name" error={form.fieldErrors.name}>
        <input
          id="role-name"
          className="field__input"
          value={name}
          maxLength={100}
          disabled={role?.builtIn}
          onChange={(e) => setName(e.target.value)}
          data-testid="role-name"
          data-autofocus
        />
      </SettingsField>
      <SettingsField label={t('roles.description')} htmlFor="role-description" error={form.fieldErrors.description}>
        <input
          id="role-description"
          className="field__input"
          value={description}
          maxLength={500}
          onChange={(e) => setDescription(e.target.value)}
        />
      </SettingsField>
      <PermissionPicker
        permissions={permissions}
        value={chosen}
        onChange={setChosen}
        disabled={fixed}
        allowed={can}
        legend={t('roles.permissions')}
        testId="role-permissions"
      />
      {form.fieldErrors.permissions ? <p className="field__error">{form.fieldErrors.permissions}</p> : null}
    </SettingsDialogForm>
  );
}

export function RolesPage() {
  const { t } = useTranslation('team');
  const { can } = useWorkspace();
  const manage = can('roles.manage');
  const list = useSettingsList(() => membersApi.roles());
  const [permissions, setPermissions] = useState<PermissionInfo[]>([]);
  const act = useSettingsAction();
  const [editing, setEditing] = useState<Role | 'new' | null>(null);
  useEffect(() => {
    membersApi.permissions().then(setPermissions, () => undefined);
  }, []);
  const label = (r: Role) => (r.builtIn ? t(`roles.builtIn.${r.name as 'owner'}`, { defaultValue: r.name }) : r.name);

  return (
    <SettingsListPage
      list={list}
      actions={manage ? <CreateButton label={t('roles.create')} onClick={() => setEditing('new')} testId="role-create" /> : null}
      empty={{ icon: 'lock', title: t('roles.emptyTitle') }}
      renderItem={(role) => (
        <SettingsListRow
          key={role.id}
          testId="role-row"
          data={{ name: role.name }}
          title={label(role)}
          details={
            <>
              {role.description ? <p className="muted">{role.description}</p> : null}
              <p className="team-meta">
                {role.builtIn ? (
                  <span className="chip">{t('roles.builtInChip')}</span>
                ) : (
                  <span className="chip chip--tag">{t('roles.customChip')}</span>
                )}
                <span data-testid="role-counts">
                  {t('roles.counts', { permissions: role.permissions.length, agents: role.agentCount })}
                </span>
              </p>
            </>
          }
          actions={
            manage ? (
              <>
                <EditButton label={t('roles.edit')} onClick={() => setEditing(role)} />
                {role.builtIn ? null : (
                  <DeleteButton
                    label={t('roles.delete')}
                    onClick={() =>
                      void act(() => membersApi.deleteRole(role.id), {
                        confirm: t('roles.confirmDelete', { name: role.name }),
                        success: t('roles.deleted'),
                        onSuccess: list.reload,
                      })
                    }
                  />
                )}
              </>
            ) : null
          }
        />
      )}
    >
      {list.items?.length && permissions.length ? (
        <div className="perm-matrix-wrap">
          <h2 className="team-section-title">{t('roles.matrix')}</h2>
          <table className="perm-matrix" data-testid="role-matrix">
            <thead>
              <tr>
                <th scope="col">{t('roles.permission')}</th>
                {list.items.map((r) => (
                  <th key={r.id} scope="col">
                    {label(r)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {groupPermissions(permissions).flatMap(([, group]) =>
                group.map((p) => (
                  <tr key={p.key} data-permission={p.key}>
                    <th scope="row" title={p.description}>
                      <code>{p.key}</code>
                    </th>
                    {list.items!.map((r) => {
                      const has = r.permissions.includes(p.key);
                      return (
                        <td key={r.id} data-role={r.name} data-has={has ? 'yes' : 'no'}>
                          {has ? <span aria-label={t('roles.has')}>✓</span> : <span aria-label={t('roles.hasNot')}>·</span>}
                        </td>
                      );
                    })}
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </div>
      ) : null}
      {editing ? (
        <RoleDialog
          role={editing === 'new' ? null : editing}
          permissions={permissions}
          onClose={() => setEditing(null)}
          onSaved={list.reload}
        />
      ) : null}
    </SettingsListPage>
  );
}
