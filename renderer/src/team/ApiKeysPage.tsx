// Settings → API keys: the signed-in person's keys. A new key is shown once (copy it then), may be
// limited to some of their permissions (scopes) and given an expiry date; revoking stops it at once.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../components/Dialog';
import { SettingsDialogForm, SettingsField, useSettingsForm } from '../settings/SettingsDialogForm';
import { CreateButton, SettingsListPage, SettingsListRow, useSettingsList } from '../settings/SettingsListPage';
import { Toggle, useSettingsAction } from '../settings/ui';
import { useWorkspace } from '../workspace';
import { CopyField } from './CopyField';
import { PermissionPicker } from './PermissionPicker';
import { membersApi, type ApiKey, type CreatedApiKey, type PermissionInfo } from './api';
import './team.css';

function ApiKeyDialog({ onClose, onSaved }: { onClose(): void; onSaved(): void }) {
  const { t } = useTranslation('team');
  const { can, session } = useWorkspace();
  const [name, setName] = useState('');
  const [expires, setExpires] = useState('');
  const [limited, setLimited] = useState(false);
  const [scopes, setScopes] = useState<Set<string>>(new Set());
  const [permissions, setPermissions] = useState<PermissionInfo[]>([]);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  useEffect(() => {
    // Everyone may read the list of permissions through their own session; without roles.view, their own.
    membersApi.permissions().then(setPermissions, () => setPermissions(session.permissions.map((key) => ({ key, description: key }))));
  }, [session.permissions]);
  const form = useSettingsForm({
    validate: () => {
      const errors: Record<string, string> = {};
      if (!name.trim()) errors.name = t('validation.required');
      if (limited && scopes.size === 0) errors.scopes = t('keys.pickScope');
      return errors;
    },
    save: async () => {
      // The key expires at the end of the chosen day, in this browser's time zone.
      const expiresAt = expires ? new Date(`${expires}T23:59:59`).toISOString() : undefined;
      setCreated(await membersApi.createApiKey({ name: name.trim(), expiresAt, scopes: limited ? ([...scopes] as never) : undefined }));
      onSaved();
    },
  });
  if (created) {
    return (
      <Dialog title={t('keys.createdTitle')} onClose={onClose} testId="api-key-created" className="dialog--form dialog--settings">
        <div className="stack-form">
          <p role="alert">{t('keys.showOnce')}</p>
          <CopyField value={created.key} label={t('keys.key')} testId="api-key-value" />
          <div className="form-actions">
            <button type="button" className="button button--primary" onClick={onClose} data-testid="api-key-done">
              {t('common.done')}
            </button>
          </div>
        </div>
      </Dialog>
    );
  }
  return (
    <SettingsDialogForm title={t('keys.create')} testId="api-key-dialog" saveTestId="api-key-save" form={form} onClose={onClose}>
      <SettingsField label={t('keys.name')} htmlFor="api-key-name" error={form.fieldErrors.name} hint={t('keys.nameHint')}>
        <input
          id="api-key-name"
          className="field__input"
          value={name}
          maxLength={200}
          onChange={(e) => setName(e.target.value)}
          data-testid="api-key-name"
          data-autofocus
        />
      </SettingsField>
      <SettingsField label={t('keys.expires')} htmlFor="api-key-expires" error={form.fieldErrors.expiresAt} hint={t('keys.expiresHint')}>
        <input
          id="api-key-expires"
          type="date"
          className="field__input"
          value={expires}
          onChange={(e) => setExpires(e.target.value)}
          data-testid="api-key-expires"
        />
      </SettingsField>
      <Toggle checked={limited} onChange={setLimited} label={t('keys.limit')} hint={t('keys.limitHint')} testId="api-key-limit" />
      {limited ? (
        <PermissionPicker
          permissions={permissions.filter((p) => can(p.key))}
          value={scopes}
          onChange={setScopes}
          legend={t('keys.scopes')}
          testId="api-key-scopes"
        />
      ) : null}
      {form.fieldErrors.scopes ? <p className="field__error">{form.fieldErrors.scopes}</p> : null}
    </SettingsDialogForm>
  );
}

function keyState(k: ApiKey, now: number): 'revoked' | 'expired' | 'active' {
  if (k.revokedAt) return 'revoked';
  if (k.expiresAt && new Date(k.expiresAt).getTime() <= now) return 'expired';
  return 'active';
}

export function ApiKeysPage() {
  const { t, i18n } = useTranslation('team');
  const list = useSettingsList(() => membersApi.apiKeys());
  const act = useSettingsAction();
  const [creating, setCreating] = useState(false);
  const now = Date.now();
  const date = (iso: string) => new Date(iso).toLocaleString(i18n.resolvedLanguage, { dateStyle: 'medium', timeStyle: 'short' });
  return (
    <SettingsListPage
      list={list}
      actions={<CreateButton label={t('keys.create')} onClick={() => setCreating(true)} testId="api-key-create" />}
      empty={{ icon: 'lock', title: t('keys.emptyTitle'), hint: t('keys.emptyHint') }}
      renderItem={(k) => {
        const state = keyState(k, now);
        return (
          <SettingsListRow
            key={k.id}
            testId="api-key-row"
            data={{ name: k.name, state }}
            title={k.name}
            details={
              <>
                <p className="team-meta">
                  <code>{k.prefix}…</code>
                  {state === 'active' ? null : (
                    <span className="chip chip--closed" data-testid="api-key-state">
                      {t(`keys.state.${state}`)}
                    </span>
                  )}
                  <span>{k.expiresAt ? t('keys.expiresOn', { date: date(k.expiresAt) }) : t('keys.noExpiry')}</span>
                  <span>{k.lastUsedAt ? t('keys.lastUsed', { date: date(k.lastUsedAt) }) : t('keys.neverUsed')}</span>
                </p>
                <p className="team-meta" data-testid="api-key-scopes-list">
                  {k.scopes ? (
                    k.scopes.map((s) => (
                      <code key={s} className="chip">
                        {s}
                      </code>
                    ))
                  ) : (
                    <span>{t('keys.allPermissions')}</span>
                  )}
                </p>
              </>
            }
            actions={
              state === 'revoked' ? null : (
                <button
                  type="button"
                  className="link-button link-button--danger"
                  onClick={() =>
                    void act(() => membersApi.revokeApiKey(k.id), {
                      confirm: t('keys.confirmRevoke', { name: k.name }),
                      success: t('keys.revoked'),
                      onSuccess: list.reload,
                    })
                  }
                  data-testid="api-key-revoke"
                >
                  {t('keys.revoke')}
                </button>
              )
            }
          />
        );
      }}
    >
      {creating ? <ApiKeyDialog onClose={() => setCreating(false)} onSaved={list.reload} /> : null}
    </SettingsListPage>
  );
}
