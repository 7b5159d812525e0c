// The Contacts page's actions: a new contact, importing a CSV (a preview with each row's outcome and
// errors, then the import), exporting to CSV, and finding duplicates to merge.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api';
import { Dialog } from '../components/Dialog';
import { FormError } from '../components/FormError';
import { Icon } from '../components/Icon';
import { errorMessage } from '../errors';
import { inboxApi, type Contact } from '../inbox/api';
import { SettingsDialogForm, SettingsField, useSettingsForm } from '../settings/SettingsDialogForm';
import { contactsApi, type DuplicateGroup, type ImportResult } from './api';

export function NewContactDialog({ onClose, onCreated }: { onClose(): void; onCreated(c: Contact): void }) {
  const { t } = useTranslation('contacts');
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [email, setEmail] = useState('');
  const [tags, setTags] = useState('');
  const form = useSettingsForm({
    validate: () => (name.trim() || phone.trim() || email.trim() ? undefined : { name: t('tools.needOne') }),
    save: async () => {
      const created = await contactsApi.create({
        name: name.trim() || null,
        phone: phone.trim() || null,
        email: email.trim() || null,
        tags: tags
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
      });
      onCreated(created);
      onClose();
    },
    // A phone or email another contact has: say which, beside the field.
    fieldErrors: (errors, err) =>
      err instanceof ApiError && err.status === 409 && err.detail
        ? Object.fromEntries(Object.keys(errors).map((k) => [k, err.detail as string]))
        : errors,
  });
  return (
    <SettingsDialogForm title={t('tools.newTitle')} testId="contact-new-dialog" saveTestId="contact-new-save" form={form} onClose={onClose}>
      <SettingsField label={t('contacts.name')} htmlFor="new-contact-name" error={form.fieldErrors.name}>
        <input
          id="new-contact-name"
          className="field__input"
          value={name}
          maxLength={200}
          onChange={(e) => setName(e.target.value)}
          data-testid="new-contact-name"
          data-autofocus
        />
      </SettingsField>
      <SettingsField label={t('contacts.phone')} htmlFor="new-contact-phone" error={form.fieldErrors.phone} hint={t('tools.phoneHint')}>
        <input
          id="new-contact-phone"
          className="field__input"
          inputMode="tel"
          value={phone}
          onChange={(e) => setPhone(e.target.value)}
          data-testid="new-contact-phone"
        />
      </SettingsField>
      <SettingsField label={t('contacts.email')} htmlFor="new-contact-email" error={form.fieldErrors.email}>
        <input
          id="new-contact-email"
          className="field__input"
          inputMode="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          data-testid="new-contact-email"
        />
      </SettingsField>
      <SettingsField
        label={t('contacts.tags')}
        htmlFor="new-contact-tags"
        error={form.fieldErrors.tags}
        hint={t('contacts.tagsPlaceholder')}
      >
        <input
          id="new-contact-tags"
          className="field__input"
          value={tags}
          onChange={(e) => setTags(e.target.value)}
          data-testid="new-contact-tags"
        />
      </SettingsField>
    </SettingsDialogForm>
  );
}

export function ImportDialog({ onClose, onImported }: { onClose(): void; onImported(): void }) {
  const { t } = useTranslation('contacts');
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<ImportResult | null>(null);
  const [done, setDone] = useState<ImportResult | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  async function run(dryRun: boolean) {
    if (!file) return;
    setBusy(true);
    setError(undefined);
    try {
      const result = await contactsApi.importCsv(file, dryRun);
      if (dryRun) setPreview(result);
      else {
        setDone(result);
        onImported();
      }
    } catch (err) {
      setError(err instanceof ApiError && err.detail ? err.detail : errorMessage(t, err));
    } finally {
      setBusy(false);
    }
  }
  const shown = done ?? preview;
  return (
    <Dialog title={t('tools.importTitle')} onClose={onClose} testId="contact-import-dialog" className="dialog--form dialog--settings">
      <div className="stack-form">
        <p className="muted">{t('tools.importHint')}</p>
        <input
          type="file"
          accept=".csv,text/csv"
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null);
            setPreview(null);
            setDone(null);
          }}
          data-testid="contact-import-file"
        />
        <FormError message={error} />
        {shown ? (
          <>
            <p role="status" data-testid={done ? 'contact-import-done' : 'contact-import-summary'}>
              {t(done ? 'tools.importDone' : 'tools.importPreview', {
                created: shown.created,
                updated: shown.updated,
                failed: shown.failed,
              })}
            </p>
            <div className="import-preview">
              <table className="import-table" data-testid="contact-import-rows">
                <thead>
                  <tr>
                    <th>{t('tools.line')}</th>
                    <th>{t('tools.outcome')}</th>
                    <th>{t('contacts.name')}</th>
                    <th>{t('contacts.phone')}</th>
                    <th>{t('contacts.email')}</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.rows.map((row) => (
                    <tr
                      key={row.line}
                      data-line={row.line}
                      data-action={row.action}
                      className={row.action === 'error' ? 'import-table__error' : undefined}
                    >
                      <td>{row.line}</td>
                      <td>
                        {t(`tools.action.${row.action}`)}
                        {row.errors.map((e) => (
                          <span key={e.field + e.message} className="field__error import-table__message">
                            {e.field}: {e.message}
                          </span>
                        ))}
                      </td>
                      <td>{row.name ?? ''}</td>
                      <td>{row.phone ?? ''}</td>
                      <td>{row.email ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        ) : null}
        <div className="form-actions">
          <button type="button" className="button button--secondary" onClick={onClose}>
            {done ? t('tools.close') : t('common.cancel')}
          </button>
          {done ? null : preview ? (
            <button
              type="button"
              className="button button--primary"
              disabled={busy || preview.created + preview.updated === 0}
              onClick={() => void run(false)}
              data-testid="contact-import-confirm"
            >
              {t('tools.importConfirm', { count: preview.created + preview.updated })}
            </button>
          ) : (
            <button
              type="button"
              className="button button--primary"
              disabled={busy || !file}
              onClick={() => void run(true)}
              data-testid="contact-import-preview"
            >
              {t('tools.previewButton')}
            </button>
          )}
        </div>
      </div>
    </Dialog>
  );
}

export function DuplicatesDialog({ onClose, onMerged }: { onClose(): void; onMerged(): void }) {
  const { t } = useTranslation('contacts');
  const [groups, setGroups] = useState<DuplicateGroup[] | null>(null);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const load = () => contactsApi.duplicates().then(setGroups, (err: unknown) => setError(errorMessage(t, err)));
  if (groups === null && !error) void load();
  async function merge(group: DuplicateGroup) {
    const [keep, ...others] = group.contacts;
    setBusy(true);
    setError(undefined);
    try {
      for (const other of others) await inboxApi.mergeContact(keep.id, other.id);
      onMerged();
      await load();
    } catch (err) {
      setError(err instanceof ApiError && err.detail ? err.detail : errorMessage(t, err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog
      title={t('tools.duplicatesTitle')}
      onClose={onClose}
      testId="contact-duplicates-dialog"
      className="dialog--form dialog--settings"
    >
      <div className="stack-form">
        <FormError message={error} />
        {groups === null && !error ? <div className="skeleton skeleton--block" /> : null}
        {groups?.length === 0 ? <p data-testid="contact-duplicates-none">{t('tools.noDuplicates')}</p> : null}
        <ul className="entity-list">
          {groups?.map((g) => (
            <li key={`${g.reason}:${g.value}`} className="card entity" data-testid="duplicate-group" data-value={g.value}>
              <p className="entity__title">{t(`tools.sameBy.${g.reason}`, { value: g.value })}</p>
              <p className="muted">{g.contacts.map((c) => c.name ?? c.phone ?? c.email).join(' · ')}</p>
              <button
                type="button"
                className="button button--secondary button--sm"
                disabled={busy}
                onClick={() => void merge(g)}
                data-testid="duplicate-merge"
              >
                {t('tools.mergeInto', { name: g.contacts[0].name ?? g.contacts[0].phone ?? g.contacts[0].email })}
              </button>
            </li>
          ))}
        </ul>
      </div>
    </Dialog>
  );
}

export function ExportLink({ tag }: { tag?: string }) {
  const { t } = useTranslation('contacts');
  return (
    <a className="button button--secondary button--sm" href={contactsApi.exportUrl(tag)} download data-testid="contacts-export">
      <Icon name="download" size={14} />
      {t('tools.export')}
    </a>
  );
}
