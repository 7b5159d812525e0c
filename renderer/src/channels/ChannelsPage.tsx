// Settings → Channels: each channel with its on/off switch, the ways to connect an account (Meta's
// login flows when the server is configured for them, or by hand), and each connected account's
// state: credentials accepted or expired, webhooks reaching us, WhatsApp quality, what to paste
// into Meta's dashboard, a test message, a Messenger page's persistent menu, default and delete.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ChannelIcon, Icon } from '../components/Icon';
import { useToast } from '../components/Toasts';
import { Dialog } from '../components/Dialog';
import { FormError } from '../components/FormError';
import { SubmitButton } from '../components/SubmitButton';
import { ApiError } from '../api';
import { errorMessage } from '../errors';
import { SettingsPage } from '../settings/SettingsLayout';
import { DeleteButton, SettingsListRow } from '../settings/SettingsListPage';
import { SettingsField } from '../settings/SettingsDialogForm';
import { Toggle, problemText, useSettingsAction } from '../settings/ui';
import { formatDateTime } from '../format';
import {
  CHANNEL_ORDER,
  channelsApi,
  randomSecret,
  type Account,
  type AccountStatus,
  type ChannelName,
  type Integration,
  type OAuthConfig,
  type SignupConfig,
} from './api';
import { ConnectDialog } from './ConnectDialog';
import { PersistentMenuDialog } from './PersistentMenuDialog';
import { loginDialogUrl, oauthReturnPath, runEmbeddedSignup } from './meta-login';
import './ChannelsPage.css';

interface LoginConfigs {
  signup: SignupConfig | null;
  messenger: OAuthConfig | null;
  instagram: OAuthConfig | null;
}

export function ChannelsPage() {
  const { t } = useTranslation('channels');
  const [integrations, setIntegrations] = useState<Integration[] | null>(null);
  const [accounts, setAccounts] = useState<Account[] | null>(null);
  const [logins, setLogins] = useState<LoginConfigs>({ signup: null, messenger: null, instagram: null });
  const [error, setError] = useState<string>();
  const [connecting, setConnecting] = useState<ChannelName | null>(null);
  const [testing, setTesting] = useState<Account | null>(null);
  const [menuFor, setMenuFor] = useState<Account | null>(null);

  const reload = useCallback(() => {
    Promise.all([channelsApi.integrations(), channelsApi.accounts()]).then(
      ([i, a]) => {
        setIntegrations(i.data);
        setAccounts(a.data.filter((x) => x.status === 'active'));
        setError(undefined);
      },
      (err: unknown) => setError(errorMessage(t, err)),
    );
  }, [t]);
  useEffect(reload, [reload]);
  useEffect(() => {
    const none = () => null;
    void Promise.all([
      channelsApi.signupConfig().catch(none),
      channelsApi.messengerOAuthConfig().catch(none),
      channelsApi.instagramOAuthConfig().catch(none),
    ]).then(([signup, messenger, instagram]) => setLogins({ signup, messenger, instagram }));
  }, []);

  return (
    <SettingsPage>
      <FormError message={error} />
      {integrations === null && !error ? <div className="skeleton skeleton--block" /> : null}
      {integrations && accounts
        ? CHANNEL_ORDER.map((channel) => (
            <ChannelSection
              key={channel}
              channel={channel}
              integration={integrations.find((i) => i.channel === channel)}
              accounts={accounts.filter((a) => a.channel === channel)}
              logins={logins}
              onConnect={() => setConnecting(channel)}
              onTest={setTesting}
              onMenu={setMenuFor}
              onChanged={reload}
            />
          ))
        : null}
      {connecting ? <ConnectDialog channel={connecting} onClose={() => setConnecting(null)} onSaved={reload} /> : null}
      {testing ? <TestMessageDialog account={testing} onClose={() => setTesting(null)} /> : null}
      {menuFor ? <PersistentMenuDialog account={menuFor} onClose={() => setMenuFor(null)} /> : null}
    </SettingsPage>
  );
}

function ChannelSection({
  channel,
  integration,
  accounts,
  logins,
  onConnect,
  onTest,
  onMenu,
  onChanged,
}: {
  channel: ChannelName;
  integration: Integration | undefined;
  accounts: Account[];
  logins: LoginConfigs;
  onConnect(): void;
  onTest(account: Account): void;
  onMenu(account: Account): void;
  onChanged(): void;
}) {
  const { t } = useTranslation('channels');
  const toast = useToast();
  const act = useSettingsAction();
  const [busy, setBusy] = useState(false);
  const enabled = integration?.enabled ?? true;

  async function signup() {
    if (!logins.signup) return;
    setBusy(true);
    try {
      const result = await runEmbeddedSignup(logins.signup);
      const account = await channelsApi.completeSignup(result);
      toast(t('connect.connected', { name: account.name }), 'success');
      onChanged();
    } catch (err) {
      const reason = err instanceof Error ? err.message : '';
      toast(
        reason === 'cancelled' || reason === 'incomplete'
          ? t('connect.cancelled')
          : reason === 'sdk'
            ? t('connect.sdkFailed')
            : problemText(t, err),
        'error',
      );
    } finally {
      setBusy(false);
    }
  }

  const loginConfig = channel === 'messenger' ? logins.messenger : channel === 'instagram' ? logins.instagram : null;
  const loginUrl = loginConfig && (channel === 'messenger' || channel === 'instagram') ? loginDialogUrl(channel, loginConfig) : null;

  return (
    <section className="card channel-section" data-testid={`channel-${channel}`} data-enabled={String(enabled)}>
      <header className="channel-section__head">
        <h3 className="channel-section__title">
          <ChannelIcon channel={channel} size={20} />
          {t(`channel.${channel}`)}
        </h3>
        <Toggle
          checked={enabled}
          label={t('enabled')}
          testId={`channel-enabled-${channel}`}
          onChange={(on) => void act(() => channelsApi.setEnabled(channel, on), { onSuccess: onChanged })}
        />
      </header>
      {!enabled ? (
        <p className="channel-section__off" role="status" data-testid={`channel-off-${channel}`}>
          {t('offHint')}
        </p>
      ) : null}
      <div className="channel-section__connect">
        {channel === 'whatsapp' && logins.signup?.available ? (
          <button
            type="button"
            className="button button--primary"
            disabled={busy}
            onClick={() => void signup()}
            data-testid="connect-signup"
          >
            {t('connect.embeddedSignup')}
          </button>
        ) : null}
        {loginUrl ? (
          <a className="button button--primary" href={loginUrl} data-testid={`connect-login-${channel}`}>
            {channel === 'messenger' ? t('connect.facebookLogin') : t('connect.instagramLogin')}
          </a>
        ) : null}
        <button
          type="button"
          className={channel === 'email' ? 'button button--primary' : 'button button--secondary'}
          onClick={onConnect}
          data-testid={`connect-manual-${channel}`}
        >
          <Icon name="plus" size={16} />
          {channel === 'email' ? t('connect.email') : t('connect.manual')}
        </button>
      </div>
      {channel === 'whatsapp' && logins.signup && !logins.signup.available ? (
        <p className="field__hint">{t('connect.notConfigured', { missing: logins.signup.missing.join(', ') })}</p>
      ) : null}
      {loginConfig && !loginConfig.available ? (
        <p className="field__hint">{t('connect.notConfigured', { missing: loginConfig.missing.join(', ') })}</p>
      ) : loginConfig && !loginConfig.redirectUri ? (
        <p className="field__hint">{t('connect.noRedirect', { path: oauthReturnPath })}</p>
      ) : null}
      {accounts.length === 0 ? <p className="muted">{t('noAccounts')}</p> : null}
      <ul className="entity-list">
        {accounts.map((account) => (
          <AccountRow
            key={account.id}
            account={account}
            channelEnabled={enabled}
            onTest={() => onTest(account)}
            onMenu={channel === 'messenger' ? () => onMenu(account) : undefined}
            onChanged={onChanged}
          />
        ))}
      </ul>
    </section>
  );
}

function CopyButton({ value, testId }: { value: string; testId?: string }) {
  const { t } = useTranslation('channels');
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="button button--secondary button--small"
      data-testid={testId}
      onClick={() => {
        void navigator.clipboard?.writeText(value).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        });
      }}
    >
      {copied ? t('common.copied') : t('common.copy')}
    </button>
  );
}

function AccountRow({
  account,
  channelEnabled,
  onTest,
  onMenu,
  onChanged,
}: {
  account: Account;
  channelEnabled: boolean;
  onTest(): void;
  /** Messenger pages: opens the persistent menu. */
  onMenu?(): void;
  onChanged(): void;
}) {
  const { t, i18n } = useTranslation('channels');
  const act = useSettingsAction();
  const [status, setStatus] = useState<AccountStatus | null>(null);
  const [checking, setChecking] = useState(false);
  const [statusError, setStatusError] = useState<string>();

  const check = useCallback(() => {
    setChecking(true);
    channelsApi
      .status(account.id)
      .then(
        (s) => {
          setStatus(s);
          setStatusError(undefined);
        },
        (err: unknown) => setStatusError(errorMessage(t, err)),
      )
      .finally(() => setChecking(false));
  }, [account.id, t]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: checked again when the account or its channel's switch changes
  useEffect(check, [check, account.updatedAt, channelEnabled]);

  const time = (iso: string | null | undefined) => (iso ? formatDateTime(iso, i18n.language) : '');
  const webhook = status?.webhook;
  const email = account.channel === 'email';

  return (
    <SettingsListRow
      testId="account-row"
      data={{ name: account.name, external: account.externalId }}
      title={
        <>
          {account.name} {account.isDefault ? <span className="badge">{t('account.default')}</span> : null}
        </>
      }
      details={
        <div className="account-details">
          <p className="muted">{account.externalId}</p>
          {status ? (
            <p className={`account-state account-state--${status.state}`} data-testid="account-state" data-state={status.state}>
              {t(`account.state.${status.state}` as const)}
              {status.credentials.detail ? <span className="account-state__detail"> · {status.credentials.detail}</span> : null}
            </p>
          ) : checking ? (
            <p className="muted">{t('account.checking')}</p>
          ) : null}
          <FormError message={statusError} />
          {status?.quality ? (
            <p className="account-quality" data-testid="account-quality" data-rating={status.quality.qualityRating ?? ''}>
              {status.quality.displayPhoneNumber ? `${status.quality.displayPhoneNumber} · ` : ''}
              {t('account.quality', { rating: status.quality.qualityRating ?? '—' })}
              {status.quality.messagingLimitTier ? ` · ${t('account.limit', { tier: status.quality.messagingLimitTier })}` : ''}
              {status.quality.canSendMessage ? ` · ${t('account.canSend', { state: status.quality.canSendMessage })}` : ''}
            </p>
          ) : null}
          {webhook ? (
            <div className="account-webhook" data-testid="account-webhook" data-reaching={webhook.reaching}>
              <p>
                <strong>{t('account.webhook.title')}: </strong>
                {email
                  ? webhook.lastReceivedAt
                    ? t('account.webhook.emailYes', { time: time(webhook.lastReceivedAt) })
                    : t('account.webhook.emailNotYet')
                  : t(`account.webhook.${webhook.reaching}` as const, { time: time(webhook.lastReceivedAt) })}
              </p>
              <dl className="account-webhook__values">
                <dt>{webhook.callbackUrl ? t('account.webhook.callbackUrl') : t('account.webhook.path')}</dt>
                <dd>
                  <code data-testid="account-callback-url">{webhook.callbackUrl ?? webhook.path}</code>{' '}
                  <CopyButton value={webhook.callbackUrl ?? webhook.path} />
                </dd>
                {!email ? (
                  <>
                    <dt>{t('account.webhook.verifyToken')}</dt>
                    <dd>
                      {webhook.verifyToken ? (
                        <>
                          <code data-testid="account-verify-token">{webhook.verifyToken}</code> <CopyButton value={webhook.verifyToken} />
                        </>
                      ) : (
                        <button
                          type="button"
                          className="link-button"
                          data-testid="account-make-verify-token"
                          onClick={() =>
                            void act(() => channelsApi.updateAccount(account.id, { config: { verifyToken: randomSecret(18) } }), {
                              onSuccess: onChanged,
                            })
                          }
                        >
                          {t('account.webhook.makeVerifyToken')}
                        </button>
                      )}
                    </dd>
                  </>
                ) : null}
              </dl>
              {email ? <p className="field__hint">{t('account.webhook.emailSecret')}</p> : null}
            </div>
          ) : null}
          {status?.imap ? (
            <p className="account-imap" data-testid="account-imap" data-idle={String(status.imap.idle)}>
              <strong>{t('account.imap.title')}: </strong>
              {status.imap.idle
                ? t('account.imap.idle', { mailbox: status.imap.mailbox })
                : t('account.imap.polling', { mailbox: status.imap.mailbox })}
              {' · '}
              {status.imap.lastPolledAt ? t('account.imap.lastPoll', { time: time(status.imap.lastPolledAt) }) : t('account.imap.never')}
              {status.imap.lastError ? (
                <span className="form-error"> {t('account.imap.error', { error: status.imap.lastError })}</span>
              ) : null}
            </p>
          ) : null}
        </div>
      }
      actions={
        <>
          <button type="button" className="button button--secondary" onClick={onTest} data-testid="account-test">
            <Icon name="send" size={16} />
            {t('account.test')}
          </button>
          {onMenu ? (
            <button type="button" className="button button--secondary" onClick={onMenu} data-testid="account-menu">
              <Icon name="panel" size={16} />
              {t('menu.open')}
            </button>
          ) : null}
          <button type="button" className="button button--secondary" onClick={check} disabled={checking} data-testid="account-check">
            <Icon name="retry" size={16} />
            {checking ? t('account.checking') : t('account.checkAgain')}
          </button>
          {!account.isDefault ? (
            <button
              type="button"
              className="button button--secondary"
              data-testid="account-make-default"
              onClick={() => void act(() => channelsApi.setDefault(account.id), { onSuccess: onChanged })}
            >
              {t('account.makeDefault')}
            </button>
          ) : null}
          <DeleteButton
            label={t('account.delete')}
            onClick={() =>
              void act(() => channelsApi.removeAccount(account.id), {
                confirm: t('account.confirmDelete', { name: account.name }),
                success: t('account.deleted', { name: account.name }),
                onSuccess: onChanged,
              })
            }
          />
        </>
      }
    />
  );
}

function TestMessageDialog({ account, onClose }: { account: Account; onClose(): void }) {
  const { t } = useTranslation('channels');
  const [to, setTo] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [fieldError, setFieldError] = useState<string>();
  const [sent, setSent] = useState<{ to: string; id: string } | null>(null);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    if (!to.trim()) {
      setFieldError(t('validation.required'));
      return;
    }
    setBusy(true);
    setError(undefined);
    setFieldError(undefined);
    setSent(null);
    try {
      const result = await channelsApi.testMessage(account.id, to.trim());
      if (result) setSent({ to: result.to, id: result.externalId });
    } catch (err) {
      // The server's reason (Meta's or the mail server's refusal, a channel turned off) says most.
      setError(err instanceof ApiError && err.status !== 403 && err.detail ? err.detail : problemText(t, err));
      if (err instanceof ApiError && err.fieldErrors.to) setFieldError(err.fieldErrors.to);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={t('test.title')} onClose={onClose} testId="test-dialog" className="dialog--form dialog--settings">
      <form className="stack-form" onSubmit={(e) => void submit(e)} noValidate>
        <p className="muted">{account.name}</p>
        {account.channel === 'whatsapp' ? <p className="field__hint">{t('test.whatsappHint')}</p> : null}
        <FormError message={error} />
        {sent ? (
          <p className="save-status save-status--ok" role="status" data-testid="test-sent">
            {t('test.sent', { to: sent.to, id: sent.id })}
          </p>
        ) : null}
        <SettingsField label={t(`test.to.${account.channel}`)} htmlFor="test-to" error={fieldError}>
          <input
            id="test-to"
            className="field__input"
            value={to}
            inputMode={account.channel === 'whatsapp' ? 'tel' : account.channel === 'email' ? 'email' : 'text'}
            onChange={(e) => setTo(e.target.value)}
            data-testid="test-to"
            data-autofocus
          />
        </SettingsField>
        <div className="form-actions">
          <button type="button" className="button button--secondary" onClick={onClose}>
            {t('common.close')}
          </button>
          <SubmitButton busy={busy} busyLabel={t('test.sending')} data-testid="test-send">
            {t('test.send')}
          </SubmitButton>
        </div>
      </form>
    </Dialog>
  );
}
