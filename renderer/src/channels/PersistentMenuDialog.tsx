// A Messenger page's persistent menu (the menu beside the message box in Messenger): read from
// Meta, edited per language (postback items that send a payload to the inbox, web links), saved or
// deleted. The limits are the API's (which are Meta's): up to 20 items per language, titles up to
// 30 characters; the server's field errors show next to the fields they name.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api';
import { failureReasonText } from '../api/problem-text';
import { FormError } from '../components/FormError';
import { Icon } from '../components/Icon';
import { useToast } from '../components/Toasts';
import { SettingsDialogForm, SettingsField, useSettingsForm } from '../settings/SettingsDialogForm';
import { Toggle, problemText } from '../settings/ui';
import type { AnyT } from '../i18n';
import { channelsApi, type Account, type MenuItem, type MenuLocale } from './api';

const MAX_ITEMS = 20;
const MAX_LOCALES = 100;
const MAX_TITLE = 30;
const MAX_PAYLOAD = 1000;
const MAX_URL = 2000;

type ItemType = MenuItem['type'];
interface DraftItem {
  type: ItemType;
  title: string;
  payload: string;
  url: string;
}
interface DraftLocale {
  locale: string;
  composerInputDisabled: boolean;
  items: DraftItem[];
}

const emptyItem = (): DraftItem => ({ type: 'postback', title: '', payload: '', url: '' });
const emptyLocale = (locale: string): DraftLocale => ({ locale, composerInputDisabled: false, items: [emptyItem()] });

function toDraft(menu: MenuLocale[]): DraftLocale[] {
  if (!menu.length) return [emptyLocale('default')];
  return menu.map((l) => ({
    locale: l.locale,
    composerInputDisabled: l.composerInputDisabled ?? false,
    items: l.callToActions.map((a) =>
      a.type === 'postback'
        ? { type: 'postback' as const, title: a.title, payload: a.payload, url: '' }
        : { type: 'web_url' as const, title: a.title, payload: '', url: a.url },
    ),
  }));
}

function toMenu(draft: DraftLocale[]): MenuLocale[] {
  return draft.map((l) => ({
    locale: l.locale.trim(),
    composerInputDisabled: l.composerInputDisabled,
    callToActions: l.items.map(
      (i): MenuItem =>
        i.type === 'postback'
          ? { type: 'postback', title: i.title.trim(), payload: i.payload.trim() }
          : { type: 'web_url', title: i.title.trim(), url: i.url.trim() },
    ),
  }));
}

function isWebUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** Field path (as the server names it) → message, for what can be checked before sending. */
function validate(t: AnyT, draft: DraftLocale[]): Record<string, string> | string | undefined {
  const errors: Record<string, string> = {};
  draft.forEach((l, i) => {
    const at = `persistentMenu.${i}`;
    if (!l.locale.trim()) errors[`${at}.locale`] = t('validation.required');
    else if (draft.findIndex((o) => o.locale.trim() === l.locale.trim()) !== i) errors[`${at}.locale`] = t('menu.duplicateLocale');
    if (!l.items.length) errors[`${at}.callToActions`] = t('menu.noItems');
    l.items.forEach((item, j) => {
      const path = `${at}.callToActions.${j}`;
      if (!item.title.trim()) errors[`${path}.title`] = t('validation.required');
      if (item.type === 'postback' && !item.payload.trim()) errors[`${path}.payload`] = t('validation.required');
      if (item.type === 'web_url' && !isWebUrl(item.url.trim())) errors[`${path}.url`] = t('menu.badUrl');
    });
  });
  if (Object.keys(errors).length) return errors;
  // Meta refuses a menu without a "default" language (the one shown when no other matches).
  if (!draft.some((l) => l.locale.trim() === 'default')) return t('menu.needsDefault');
  return undefined;
}

/**
 * Meta's refusal (502, with Meta's error code) in the UI's language where the code is known, else
 * Meta's reason; other failures through the problem-code translation.
 */
function menuErrorText(t: AnyT, err: unknown): string {
  if (err instanceof ApiError && err.status === 502 && err.detail) {
    const code = err.problem.code;
    return failureReasonText(err.detail, typeof code === 'number' ? code : null) ?? err.detail;
  }
  return problemText(t, err);
}

export function PersistentMenuDialog({ account, onClose }: { account: Account; onClose(): void }) {
  const { t } = useTranslation('channels');
  const toast = useToast();
  const [saved, setSaved] = useState<MenuLocale[] | null>(null);
  const [draft, setDraft] = useState<DraftLocale[]>([]);
  const [loadError, setLoadError] = useState<string>();
  const [deleting, setDeleting] = useState(false);
  const [actionError, setActionError] = useState<string>();

  useEffect(() => {
    let live = true;
    channelsApi.persistentMenu(account.id).then(
      (answer) => {
        if (!live) return;
        setSaved(answer.menu);
        setDraft(toDraft(answer.menu));
      },
      (err: unknown) => live && setLoadError(menuErrorText(t, err)),
    );
    return () => {
      live = false;
    };
  }, [account.id, t]);

  const form = useSettingsForm({
    validate: () => {
      setActionError(undefined);
      return validate(t, draft);
    },
    save: async () => {
      try {
        await channelsApi.setPersistentMenu(account.id, toMenu(draft));
      } catch (err) {
        // Meta's refusal (502) is shown with its reason; field errors and the rest go to the form.
        if (!(err instanceof ApiError && err.status === 502)) throw err;
        setActionError(menuErrorText(t, err));
        return;
      }
      toast(t('menu.saved', { name: account.name }), 'success');
      onClose();
    },
  });

  async function remove() {
    if (!window.confirm(t('menu.confirmDelete', { name: account.name }))) return;
    setDeleting(true);
    setActionError(undefined);
    try {
      await channelsApi.deletePersistentMenu(account.id);
      toast(t('menu.deleted', { name: account.name }), 'success');
      onClose();
    } catch (err) {
      setActionError(menuErrorText(t, err));
    } finally {
      setDeleting(false);
    }
  }

  const setLocale = (i: number, change: Partial<DraftLocale>) => setDraft((cur) => cur.map((l, k) => (k === i ? { ...l, ...change } : l)));
  const setItem = (i: number, j: number, change: Partial<DraftItem>) =>
    setDraft((cur) =>
      cur.map((l, k) => (k === i ? { ...l, items: l.items.map((item, m) => (m === j ? { ...item, ...change } : item)) } : l)),
    );

  return (
    <SettingsDialogForm
      title={t('menu.title', { name: account.name })}
      testId="menu-dialog"
      saveTestId="menu-save"
      form={form}
      onClose={onClose}
      intro={<p className="field__hint">{t('menu.intro', { max: MAX_ITEMS, title: MAX_TITLE })}</p>}
    >
      <FormError message={loadError ?? actionError} />
      {saved === null && !loadError ? <div className="skeleton skeleton--block" /> : null}
      {saved !== null ? (
        <>
          {saved.length === 0 ? (
            <p className="muted" data-testid="menu-none">
              {t('menu.none')}
            </p>
          ) : null}
          {draft.map((l, i) => (
            <fieldset className="menu-locale" key={i} data-testid="menu-locale" data-locale={l.locale}>
              <legend className="field__label">{t('menu.language', { n: i + 1 })}</legend>
              <div className="menu-locale__head">
                <SettingsField
                  label={t('menu.locale')}
                  htmlFor={`menu-${i}-locale`}
                  error={form.fieldErrors[`persistentMenu.${i}.locale`]}
                  hint={t('menu.localeHint')}
                >
                  <input
                    id={`menu-${i}-locale`}
                    className="field__input"
                    value={l.locale}
                    maxLength={20}
                    onChange={(e) => setLocale(i, { locale: e.target.value })}
                    data-testid={`menu-${i}-locale`}
                  />
                </SettingsField>
                {draft.length > 1 ? (
                  <button
                    type="button"
                    className="button button--secondary button--small"
                    onClick={() => setDraft((cur) => cur.filter((_, k) => k !== i))}
                    data-testid={`menu-${i}-remove`}
                  >
                    {t('menu.removeLocale')}
                  </button>
                ) : null}
              </div>
              <Toggle
                checked={l.composerInputDisabled}
                onChange={(on) => setLocale(i, { composerInputDisabled: on })}
                label={t('menu.composerInputDisabled')}
                hint={t('menu.composerInputDisabledHint')}
                testId={`menu-${i}-composer`}
              />
              <FormError message={form.fieldErrors[`persistentMenu.${i}.callToActions`]} />
              <ol className="menu-items">
                {l.items.map((item, j) => {
                  const path = `persistentMenu.${i}.callToActions.${j}`;
                  const id = `menu-${i}-${j}`;
                  return (
                    <li className="menu-item" key={j} data-testid="menu-item" data-type={item.type}>
                      <SettingsField label={t('menu.type')} htmlFor={`${id}-type`}>
                        <select
                          id={`${id}-type`}
                          className="field__input"
                          value={item.type}
                          onChange={(e) => setItem(i, j, { type: e.target.value as ItemType })}
                          data-testid={`${id}-type`}
                        >
                          <option value="postback">{t('menu.postback')}</option>
                          <option value="web_url">{t('menu.webUrl')}</option>
                        </select>
                      </SettingsField>
                      <SettingsField label={t('menu.itemTitle')} htmlFor={`${id}-title`} error={form.fieldErrors[`${path}.title`]}>
                        <input
                          id={`${id}-title`}
                          className="field__input"
                          value={item.title}
                          maxLength={MAX_TITLE}
                          onChange={(e) => setItem(i, j, { title: e.target.value })}
                          data-testid={`${id}-title`}
                        />
                      </SettingsField>
                      {item.type === 'postback' ? (
                        <SettingsField
                          label={t('menu.payload')}
                          htmlFor={`${id}-payload`}
                          error={form.fieldErrors[`${path}.payload`]}
                          hint={t('menu.payloadHint')}
                        >
                          <input
                            id={`${id}-payload`}
                            className="field__input"
                            value={item.payload}
                            maxLength={MAX_PAYLOAD}
                            onChange={(e) => setItem(i, j, { payload: e.target.value })}
                            data-testid={`${id}-payload`}
                          />
                        </SettingsField>
                      ) : (
                        <SettingsField label={t('menu.url')} htmlFor={`${id}-url`} error={form.fieldErrors[`${path}.url`]}>
                          <input
                            id={`${id}-url`}
                            className="field__input"
                            type="url"
                            inputMode="url"
                            value={item.url}
                            maxLength={MAX_URL}
                            placeholder="https://"
                            onChange={(e) => setItem(i, j, { url: e.target.value })}
                            data-testid={`${id}-url`}
                          />
                        </SettingsField>
                      )}
                      <button
                        type="button"
                        className="icon-button menu-item__remove"
                        aria-label={t('menu.removeItem')}
                        title={t('menu.removeItem')}
                        disabled={l.items.length <= 1}
                        onClick={() => setLocale(i, { items: l.items.filter((_, m) => m !== j) })}
                        data-testid={`${id}-remove`}
                      >
                        <Icon name="trash" size={16} />
                      </button>
                    </li>
                  );
                })}
              </ol>
              <button
                type="button"
                className="button button--secondary button--small"
                disabled={l.items.length >= MAX_ITEMS}
                onClick={() => setLocale(i, { items: [...l.items, emptyItem()] })}
                data-testid={`menu-${i}-add-item`}
              >
                <Icon name="plus" size={16} />
                {t('menu.addItem')}
              </button>
            </fieldset>
          ))}
          <div className="menu-actions">
            <button
              type="button"
              className="button button--secondary"
              disabled={draft.length >= MAX_LOCALES}
              onClick={() => setDraft((cur) => [...cur, emptyLocale('')])}
              data-testid="menu-add-locale"
            >
              <Icon name="plus" size={16} />
              {t('menu.addLocale')}
            </button>
            {saved.length > 0 ? (
              <button
                type="button"
                className="button button--secondary menu-delete"
                disabled={deleting}
                onClick={() => void remove()}
                data-testid="menu-delete"
              >
                {deleting ? t('menu.deleting') : t('menu.delete')}
              </button>
            ) : null}
          </div>
        </>
      ) : null}
    </SettingsDialogForm>
  );
}
