// Chat expiration: per channel, resolve conversations after some hours without activity, optionally
// with a closing message to the customer.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ChannelIcon } from '../../components/Icon';
import { FormError } from '../../components/FormError';
import { SubmitButton } from '../../components/SubmitButton';
import { teamApi, type ExpirationRule } from '../api';
import { SettingsField } from '../../settings/SettingsDialogForm';
import { SettingsPage } from '../../settings/SettingsLayout';
import { useSettingsList } from '../../settings/SettingsListPage';
import { SaveStatus, Toggle, fieldErrorsOf, problemText, type SaveState } from '../../settings/ui';
import './ChatExpirationPage.css';

function RuleCard({ rule }: { rule: ExpirationRule }) {
  const { t } = useTranslation('teamwork');
  const [enabled, setEnabled] = useState(rule.enabled);
  const [hours, setHours] = useState(String(rule.hours));
  const [message, setMessage] = useState(rule.closingMessage ?? '');
  const [state, setState] = useState<SaveState>({ kind: 'idle' });
  const [errors, setErrors] = useState<Record<string, string>>({});

  async function save(event: FormEvent) {
    event.preventDefault();
    const n = Number(hours);
    if (!Number.isInteger(n) || n < 1 || n > 24 * 90) {
      setErrors({ hours: t('expiration.hoursRange') });
      setState({ kind: 'error', message: t('common.checkFields') });
      return;
    }
    setErrors({});
    setState({ kind: 'saving' });
    try {
      const saved = await teamApi.saveExpirationRule(rule.channel, { enabled, hours: n, closingMessage: message.trim() || null });
      setEnabled(saved.enabled);
      setHours(String(saved.hours));
      setMessage(saved.closingMessage ?? '');
      setState({ kind: 'saved' });
    } catch (err) {
      setErrors(fieldErrorsOf(err, t));
      setState({ kind: 'error', message: problemText(t, err) });
    }
  }

  const id = `exp-${rule.channel}`;
  return (
    <form className="card settings-card" onSubmit={save} noValidate data-testid={`expiration-${rule.channel}`}>
      <div className="settings-card__head">
        <h3 className="card__title card__title--icon">
          <ChannelIcon channel={rule.channel} size={18} />
          {t(`channel.${rule.channel}`)}
        </h3>
        <Toggle checked={enabled} onChange={setEnabled} label={t('expiration.enabled')} testId={`${id}-enabled`} />
      </div>
      <SettingsField label={t('expiration.hours')} htmlFor={`${id}-hours`} error={errors.hours}>
        <div className="inline-row">
          <input
            id={`${id}-hours`}
            className="field__input field__input--short"
            type="number"
            min={1}
            max={2160}
            value={hours}
            onChange={(e) => setHours(e.target.value)}
            data-testid={`${id}-hours`}
          />
          <span className="muted">{t('expiration.hoursSuffix')}</span>
        </div>
      </SettingsField>
      <SettingsField
        label={t('expiration.closingMessage')}
        htmlFor={`${id}-message`}
        error={errors.closingMessage}
        hint={t('expiration.closingHint')}
      >
        <textarea
          id={`${id}-message`}
          className="field__input"
          rows={2}
          maxLength={4096}
          value={message}
          placeholder={t('expiration.closingPlaceholder')}
          onChange={(e) => setMessage(e.target.value)}
          data-testid={`${id}-message`}
        />
      </SettingsField>
      <div className="save-bar">
        <SaveStatus state={state} testId={`${id}-status`} />
        <SubmitButton busy={state.kind === 'saving'} busyLabel={t('settings.saving')} variant="secondary" data-testid={`${id}-save`}>
          {t('common.save')}
        </SubmitButton>
      </div>
    </form>
  );
}

export function ChatExpirationPage() {
  const list = useSettingsList(() => teamApi.expirationRules().then((r) => r.data));
  return (
    <SettingsPage>
      <FormError message={list.error} />
      {list.items === null && !list.error ? <div className="skeleton skeleton--block" /> : null}
      <div className="card-grid">
        {list.items?.map((rule) => (
          <RuleCard key={rule.channel} rule={rule} />
        ))}
      </div>
    </SettingsPage>
  );
}
