// WhatsApp templates: the list with Meta's status, quality and pause state, sync from Meta, a form
// that submits a new template (with an example per placeholder), and local delete.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useToast } from '../components/Toasts';
import { fieldErrorsOf, problemText } from '../settings/ui';
import { broadcastApi, placeholdersIn, type WaTemplate } from './api';

const LANGUAGES = ['id', 'en', 'en_US', 'ms', 'zh_CN'];
const CATEGORIES = ['MARKETING', 'UTILITY', 'AUTHENTICATION'] as const;

export function StatusBadge({ status }: { status: string }) {
  const { t } = useTranslation('campaigns');
  return (
    <span className={`bc-status bc-status--${status.toLowerCase()}`} data-testid="template-status">
      {t(`broadcast.templateStatus.${status}` as 'broadcast.templateStatus.APPROVED', { defaultValue: status })}
    </span>
  );
}

function TemplateForm({ onCreated }: { onCreated(): void }) {
  const { t } = useTranslation('campaigns');
  const toast = useToast();
  const [name, setName] = useState('');
  const [language, setLanguage] = useState('id');
  const [category, setCategory] = useState<(typeof CATEGORIES)[number]>('MARKETING');
  const [header, setHeader] = useState('');
  const [body, setBody] = useState('');
  const [footer, setFooter] = useState('');
  const [examples, setExamples] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [fields, setFields] = useState<Record<string, string>>({});
  const placeholders = [...new Set(placeholdersIn(body))];
  const headerPlaceholders = placeholdersIn(header);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const positional = placeholders.every((p) => /^\d+$/.test(p));
      await broadcastApi.createTemplate({
        name: name.trim(),
        language,
        category,
        header: header.trim()
          ? { format: 'TEXT', text: header.trim(), example: headerPlaceholders.length ? examples[`h:${headerPlaceholders[0]}`] : undefined }
          : null,
        body: {
          text: body,
          examples: placeholders.length
            ? positional
              ? placeholders.map((p) => examples[p] ?? '')
              : Object.fromEntries(placeholders.map((p) => [p, examples[p] ?? '']))
            : undefined,
        },
        footer: footer.trim() || null,
      });
      toast(t('broadcast.templates.created'), 'success');
      setName('');
      setBody('');
      setHeader('');
      setFooter('');
      setExamples({});
      setFields({});
      onCreated();
    } catch (err) {
      setFields(fieldErrorsOf(err, t));
      setError(problemText(t, err));
    } finally {
      setBusy(false);
    }
  }

  const field = (key: string) => (fields[key] ? 'field field--invalid' : 'field');
  return (
    <form className="settings-card stack-form" onSubmit={submit} noValidate data-testid="template-form">
      <h3 className="card__title">{t('broadcast.templates.new')}</h3>
      {error ? (
        <p className="form-error" role="alert" data-testid="template-form-error">
          {error}
        </p>
      ) : null}
      <div className="form-grid">
        <div className={field('name')}>
          <label className="field__label" htmlFor="tpl-name">
            {t('broadcast.templates.name')}
          </label>
          <input
            id="tpl-name"
            className="field__input"
            value={name}
            onChange={(e) => setName(e.target.value)}
            data-testid="template-name"
          />
          <p className={fields.name ? 'field__error' : 'field__hint'}>{fields.name ?? t('broadcast.templates.nameHint')}</p>
        </div>
        <div className="field">
          <label className="field__label" htmlFor="tpl-language">
            {t('broadcast.templates.language')}
          </label>
          <select
            id="tpl-language"
            className="field__input"
            value={language}
            onChange={(e) => setLanguage(e.target.value)}
            data-testid="template-language"
          >
            {LANGUAGES.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label className="field__label" htmlFor="tpl-category">
            {t('broadcast.templates.category')}
          </label>
          <select
            id="tpl-category"
            className="field__input"
            value={category}
            onChange={(e) => setCategory(e.target.value as (typeof CATEGORIES)[number])}
            data-testid="template-category"
          >
            {CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {t(`broadcast.templates.categories.${c}`)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className={field('header.text')}>
        <label className="field__label" htmlFor="tpl-header">
          {t('broadcast.templates.headerText')}
        </label>
        <input id="tpl-header" className="field__input" value={header} maxLength={60} onChange={(e) => setHeader(e.target.value)} />
        {fields['header.text'] ? <p className="field__error">{fields['header.text']}</p> : null}
      </div>
      {headerPlaceholders.slice(0, 1).map((p) => (
        <div className="field" key={`h:${p}`}>
          <label className="field__label" htmlFor={`tpl-hex-${p}`}>
            {t('broadcast.templates.example', { name: `{{${p}}}` })}
          </label>
          <input
            id={`tpl-hex-${p}`}
            className="field__input"
            value={examples[`h:${p}`] ?? ''}
            onChange={(e) => setExamples({ ...examples, [`h:${p}`]: e.target.value })}
          />
        </div>
      ))}
      <div className={field('body.text')}>
        <label className="field__label" htmlFor="tpl-body">
          {t('broadcast.templates.body')}
        </label>
        <textarea
          id="tpl-body"
          className="field__input"
          rows={4}
          maxLength={1024}
          value={body}
          onChange={(e) => setBody(e.target.value)}
          data-testid="template-body"
        />
        <p className={fields['body.text'] ? 'field__error' : 'field__hint'}>
          {fields['body.text'] ?? t('broadcast.templates.bodyHint', { example: '{{1}}, {{2}}…' })}
        </p>
      </div>
      {placeholders.map((p) => (
        <div className={field('body.examples')} key={p}>
          <label className="field__label" htmlFor={`tpl-ex-${p}`}>
            {t('broadcast.templates.example', { name: `{{${p}}}` })}
          </label>
          <input
            id={`tpl-ex-${p}`}
            className="field__input"
            value={examples[p] ?? ''}
            onChange={(e) => setExamples({ ...examples, [p]: e.target.value })}
            data-testid={`template-example-${p}`}
          />
        </div>
      ))}
      {fields['body.examples'] ? <p className="field__error">{fields['body.examples']}</p> : null}
      <div className="field">
        <label className="field__label" htmlFor="tpl-footer">
          {t('broadcast.templates.footer')}
        </label>
        <input id="tpl-footer" className="field__input" value={footer} maxLength={60} onChange={(e) => setFooter(e.target.value)} />
      </div>
      <div className="form-actions">
        <button type="submit" className="button button--primary" disabled={busy} data-testid="template-submit">
          {t('broadcast.templates.submit')}
        </button>
      </div>
    </form>
  );
}

export function TemplatesTab() {
  const { t } = useTranslation('campaigns');
  const toast = useToast();
  const [templates, setTemplates] = useState<WaTemplate[] | null>(null);
  const [error, setError] = useState<string>();
  const [syncing, setSyncing] = useState(false);
  const load = useCallback(async () => {
    try {
      setTemplates((await broadcastApi.templates()).data);
      setError(undefined);
    } catch (err) {
      setError(problemText(t, err));
    }
  }, [t]);
  useEffect(() => {
    void load();
    // Meta's review arrives by webhook: look again now and then.
    const timer = setInterval(() => void load(), 5000);
    return () => clearInterval(timer);
  }, [load]);

  async function sync() {
    setSyncing(true);
    try {
      const result = await broadcastApi.syncTemplates();
      toast(t('broadcast.templates.synced', { count: result.templates }), 'success');
      await load();
    } catch (err) {
      toast(problemText(t, err) ?? '', 'error');
    } finally {
      setSyncing(false);
    }
  }

  async function remove(tpl: WaTemplate) {
    if (!window.confirm(t('broadcast.confirmDelete', { name: tpl.name }))) return;
    try {
      await broadcastApi.deleteTemplate(tpl.id);
      await load();
    } catch (err) {
      toast(problemText(t, err) ?? '', 'error');
    }
  }

  return (
    <section className="bc-section" data-testid="templates-tab">
      <header className="bc-section__header">
        <p className="settings-page__intro">{t('broadcast.templates.intro')}</p>
        <button type="button" className="button button--secondary" onClick={sync} disabled={syncing} data-testid="templates-sync">
          {t('broadcast.templates.sync')}
        </button>
      </header>
      {error ? <p className="form-error">{error}</p> : null}
      {templates && templates.length === 0 ? <p className="muted">{t('broadcast.templates.empty')}</p> : null}
      <ul className="entity-list" data-testid="template-list">
        {(templates ?? []).map((tpl) => (
          <li key={tpl.id} className="bc-item" data-testid="template-row" data-name={tpl.name}>
            <div className="bc-item__main">
              <strong>{tpl.name}</strong>{' '}
              <span className="muted">
                · {tpl.language} ·{' '}
                {t(`broadcast.templates.categories.${tpl.category}` as 'broadcast.templates.categories.UTILITY', {
                  defaultValue: tpl.category,
                })}
              </span>
              <p className="bc-item__body">{tpl.body}</p>
              {tpl.variables.length ? (
                <p className="muted">{t('broadcast.templates.variables', { list: tpl.variables.map((v) => v.key).join(', ') })}</p>
              ) : null}
              {tpl.submission === 'queued' ? <p className="muted">{t('broadcast.templates.queued')}</p> : null}
              {tpl.statusReason ? (
                <p className="field__error">{t('broadcast.templates.submitFailed', { reason: tpl.statusReason })}</p>
              ) : null}
            </div>
            <div className="bc-item__side">
              <StatusBadge status={tpl.paused ? 'PAUSED' : tpl.status} />
              {tpl.qualityScore ? <span className="muted">{t('broadcast.templates.quality', { score: tpl.qualityScore })}</span> : null}
              <button type="button" className="link-button link-button--danger" onClick={() => remove(tpl)}>
                {t('broadcast.delete')}
              </button>
            </div>
          </li>
        ))}
      </ul>
      <TemplateForm onCreated={load} />
    </section>
  );
}
