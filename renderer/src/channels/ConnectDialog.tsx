// Connecting an account by hand: the fields each channel needs (ids, tokens, the mailbox's SMTP and
// IMAP), checked here first and then by the server, whose field errors show next to the fields.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SettingsDialogForm, SettingsField, useSettingsForm } from '../settings/SettingsDialogForm';
import { Toggle } from '../settings/ui';
import { channelsApi, randomSecret, type Account, type ChannelName } from './api';

interface FieldSpec {
  key: string;
  required?: boolean;
  secret?: boolean;
  hint?: string;
  inputMode?: 'numeric' | 'email';
}

const FIELDS: Record<ChannelName, FieldSpec[]> = {
  whatsapp: [
    { key: 'phoneNumberId', required: true, inputMode: 'numeric', hint: 'phoneNumberId' },
    { key: 'wabaId', required: true, inputMode: 'numeric' },
    { key: 'accessToken', required: true, secret: true, hint: 'accessToken' },
    { key: 'appSecret', secret: true, hint: 'appSecret' },
  ],
  messenger: [
    { key: 'pageId', required: true, inputMode: 'numeric' },
    { key: 'pageAccessToken', required: true, secret: true, hint: 'accessToken' },
    { key: 'appSecret', secret: true, hint: 'appSecret' },
  ],
  instagram: [
    { key: 'instagramAccountId', required: true, inputMode: 'numeric' },
    { key: 'accessToken', required: true, secret: true, hint: 'accessToken' },
    { key: 'appSecret', secret: true, hint: 'appSecret' },
  ],
  email: [
    { key: 'address', required: true, inputMode: 'email' },
    { key: 'smtpUrl', secret: true, hint: 'smtpUrl' },
    { key: 'inboundSecret', secret: false, hint: 'inboundSecret' },
  ],
};

const IMAP_FIELDS: FieldSpec[] = [
  { key: 'imapHost' },
  { key: 'imapPort', inputMode: 'numeric' },
  { key: 'imapUser' },
  { key: 'imapPassword', secret: true },
  { key: 'imapMailbox' },
];

export function ConnectDialog({ channel, onClose, onSaved }: { channel: ChannelName; onClose(): void; onSaved(a: Account): void }) {
  const { t } = useTranslation('channels');
  const [name, setName] = useState('');
  const [values, setValues] = useState<Record<string, string>>(() =>
    channel === 'email'
      ? { inboundSecret: randomSecret(), imapPort: '993', imapMailbox: 'INBOX', imapTls: 'true' }
      : ({} as Record<string, string>),
  );
  const set = (key: string, value: string) => setValues((cur) => ({ ...cur, [key]: value }));
  const fields = FIELDS[channel];
  const form = useSettingsForm({
    validate: () => {
      const errors: Record<string, string> = {};
      if (!name.trim()) errors.name = t('validation.required');
      for (const f of fields) if (f.required && !values[f.key]?.trim()) errors[`config.${f.key}`] = t('validation.required');
      if (channel === 'email' && values.imapHost?.trim()) {
        for (const key of ['imapUser', 'imapPassword']) if (!values[key]?.trim()) errors[`config.${key}`] = t('validation.required');
      }
      return errors;
    },
    save: async () => {
      const config: Record<string, string> = {};
      for (const [key, value] of Object.entries(values)) if (value.trim()) config[key] = value.trim();
      if (channel === 'email' && !config.imapHost) {
        for (const key of ['imapPort', 'imapUser', 'imapPassword', 'imapMailbox', 'imapTls']) delete config[key];
      }
      const saved = await channelsApi.createAccount({ channel, name: name.trim(), config });
      onSaved(saved);
      onClose();
    },
  });

  const input = (f: FieldSpec) => (
    <SettingsField
      key={f.key}
      label={t(`field.${f.key}` as 'field.name')}
      htmlFor={`connect-${f.key}`}
      error={form.fieldErrors[`config.${f.key}`]}
      hint={f.hint ? t(`hint.${f.hint}` as 'hint.imap') : undefined}
    >
      <input
        id={`connect-${f.key}`}
        className="field__input"
        type={f.secret ? 'password' : 'text'}
        autoComplete={f.secret ? 'new-password' : 'off'}
        inputMode={f.inputMode === 'numeric' ? 'numeric' : f.inputMode === 'email' ? 'email' : undefined}
        value={values[f.key] ?? ''}
        onChange={(e) => set(f.key, e.target.value)}
        data-testid={`connect-${f.key}`}
      />
    </SettingsField>
  );

  return (
    <SettingsDialogForm
      title={t(`connect.title.${channel}`)}
      testId="connect-dialog"
      saveTestId="connect-save"
      form={form}
      onClose={onClose}
      submitLabel={t('connect.save')}
      busyLabel={t('connect.saving')}
    >
      <SettingsField label={t('field.name')} htmlFor="connect-name" error={form.fieldErrors.name}>
        <input
          id="connect-name"
          className="field__input"
          value={name}
          maxLength={200}
          onChange={(e) => setName(e.target.value)}
          data-testid="connect-name"
          data-autofocus
        />
      </SettingsField>
      {fields.map(input)}
      {channel === 'email' ? (
        <fieldset className="channels-imap">
          <legend className="field__label">{t('account.imap.title')}</legend>
          <p className="field__hint">{t('hint.imap')}</p>
          {IMAP_FIELDS.map(input)}
          <Toggle
            checked={values.imapTls !== 'false'}
            onChange={(on) => set('imapTls', on ? 'true' : 'false')}
            label={t('field.imapTls')}
            testId="connect-imapTls"
          />
        </fieldset>
      ) : null}
    </SettingsDialogForm>
  );
}
