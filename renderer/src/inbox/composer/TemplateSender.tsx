// Sending an approved WhatsApp template: outside the 24-hour window in a conversation, or to a
// contact to start a conversation. A value field per placeholder, and a preview of the message as
// the customer will read it. The server checks the values again and queues the send as a durable job.
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, callApi, type ApiItem } from '../../api';
import { useToast } from '../../components/Toasts';
import { errorMessage } from '../../errors';
import './TemplateSender.css';

export type SendableTemplate = ApiItem<'/api/v1/wa-templates/sendable', 'get'>;
type Variable = SendableTemplate['variables'][number];

interface Props {
  /** Send into this WhatsApp conversation (its number's templates only)… */
  conversationId?: string;
  /** …or to this contact's WhatsApp, opening a conversation. */
  contactId?: string;
  onSent(result: { conversationId: string; messageId: string }): void;
  onCancel?(): void;
}

/** A template's text with the values in place of its {{1}} / {{name}} placeholders (unfilled ones stay visible). */
export function fillPlaceholders(text: string, component: 'header' | 'body', values: Record<string, string>): string {
  return text.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (whole, name: string) => values[`${component}.${name}`]?.trim() || whole);
}

const blankValues = (template: SendableTemplate) => Object.fromEntries(template.variables.map((v) => [v.key, '']));

const newKey = () => `tpl-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

export function TemplateSender({ conversationId, contactId, onSent, onCancel }: Props) {
  const { t } = useTranslation('inbox');
  const toast = useToast();
  const [templates, setTemplates] = useState<SendableTemplate[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [selectedId, setSelectedId] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  // One idempotency key per attempt at sending this choice: a retry after a lost answer sends once.
  const sendKey = useRef(newKey());

  useEffect(() => {
    let live = true;
    setTemplates(null);
    callApi('get', '/api/v1/wa-templates/sendable', { query: conversationId ? { conversationId } : {} })
      .then((res) => {
        if (!live) return;
        setTemplates(res.data);
        const only = res.data.length === 1 ? res.data[0] : null;
        if (only) {
          setSelectedId(only.id);
          setValues(blankValues(only));
        }
      })
      .catch((error) => live && setLoadError(error));
    return () => {
      live = false;
    };
  }, [conversationId]);

  const template = useMemo(() => templates?.find((x) => x.id === selectedId) ?? null, [templates, selectedId]);

  function choose(next: SendableTemplate | null) {
    setSelectedId(next?.id ?? '');
    setValues(next ? blankValues(next) : {});
    setErrors({});
    setFormError(null);
    sendKey.current = newKey();
  }

  function label(v: Variable) {
    if (v.component === 'header') return t('templates.headerValue', { name: v.name });
    if (v.component === 'button') return t('templates.buttonValue', { name: v.name });
    return t('templates.bodyValue', { name: v.name });
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!template || sending) return;
    const missing = Object.fromEntries(
      template.variables.filter((v) => !values[v.key]?.trim()).map((v) => [v.key, t('templates.required')] as const),
    );
    setErrors(missing);
    if (Object.keys(missing).length) return;
    setSending(true);
    setFormError(null);
    try {
      const res = await callApi('post', '/api/v1/wa-templates/{templateId}/send', {
        path: { templateId: template.id },
        body: {
          ...(conversationId ? { conversationId } : { contactId }),
          values: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.trim()])),
          clientMessageId: sendKey.current,
        },
      });
      toast(t('templates.sent', { name: template.name }), 'success');
      choose(null);
      onSent(res);
    } catch (error) {
      if (error instanceof ApiError && Object.keys(error.fieldErrors).length) {
        setErrors(Object.fromEntries(Object.entries(error.fieldErrors).map(([k, v]) => [k.replace(/^values\./, ''), v])));
      }
      setFormError(errorMessage(t, error));
    } finally {
      setSending(false);
    }
  }

  if (loadError)
    return (
      <div className="panel-error" role="alert">
        {errorMessage(t, loadError)}
      </div>
    );
  if (!templates) return <div className="skeleton skeleton--block" aria-busy="true" />;
  if (templates.length === 0)
    return (
      <p className="template-sender__empty muted" data-testid="template-none">
        {t('templates.none')}
      </p>
    );

  return (
    <form className="stack-form template-sender" onSubmit={submit} noValidate data-testid="template-sender">
      <label className="field">
        <span className="field__label">{t('templates.choose')}</span>
        <select
          className="field__input"
          value={selectedId}
          onChange={(e) => choose(templates.find((x) => x.id === e.target.value) ?? null)}
          data-testid="template-select"
        >
          <option value="">{t('templates.choosePlaceholder')}</option>
          {templates.map((x) => (
            <option key={x.id} value={x.id}>
              {x.name} ({x.language})
            </option>
          ))}
        </select>
      </label>
      {template ? (
        <>
          {template.variables.map((v) => (
            <label key={v.key} className="field">
              <span className="field__label">{label(v)}</span>
              <input
                className="field__input"
                value={values[v.key] ?? ''}
                placeholder={v.example ?? ''}
                maxLength={1024}
                aria-invalid={errors[v.key] ? true : undefined}
                onChange={(e) => setValues((prev) => ({ ...prev, [v.key]: e.target.value }))}
                data-testid={`template-value-${v.key}`}
              />
              {errors[v.key] ? (
                <span className="field__error" role="alert">
                  {errors[v.key]}
                </span>
              ) : null}
            </label>
          ))}
          <div className="template-sender__preview" aria-live="polite" data-testid="template-preview">
            <span className="template-sender__preview-label">{t('templates.preview')}</span>
            {template.header?.text ? <strong>{fillPlaceholders(template.header.text, 'header', values)}</strong> : null}
            <p>{fillPlaceholders(template.body, 'body', values)}</p>
            {template.footer ? <small className="muted">{template.footer}</small> : null}
            {template.buttons.length ? (
              <span className="template-sender__buttons">
                {template.buttons.map((b) => (
                  <span key={`${b.type}:${b.text}`} className="chip">
                    {b.text}
                  </span>
                ))}
              </span>
            ) : null}
          </div>
        </>
      ) : null}
      {formError ? (
        <p className="form-error" role="alert">
          {formError}
        </p>
      ) : null}
      <div className="template-sender__actions">
        {onCancel ? (
          <button type="button" className="button button--secondary" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        ) : null}
        <button type="submit" className="button button--primary" disabled={!template || sending} data-testid="template-send">
          {sending ? t('templates.sending') : t('templates.send')}
        </button>
      </div>
    </form>
  );
}
