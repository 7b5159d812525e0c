// A contact's details, editable in place: name, phone, email and custom attributes.
import { useCallback, useEffect, useState, type CSSProperties, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api';
import { ChannelIcon, Icon } from '../components/Icon';
import { useToast } from '../components/Toasts';
import { errorMessage, isValidEmail } from '../errors';
import { avatarHue, contactName, initials } from '../format';
import { useRealtimeEvent } from '../realtime';
import { useWorkspace } from '../workspace';
import { inboxApi, type Contact } from '../inbox/api';
import './ContactCard.css';

interface Props {
  contactId: string;
  onSaved?(contact: Contact): void;
  /** Larger header, for the Contacts page. */
  large?: boolean;
}

type Row = { key: string; value: string };

export function ContactCard({ contactId, onSaved, large }: Props) {
  const { t } = useTranslation('contacts');
  const { can } = useWorkspace();
  const toast = useToast();
  const [contact, setContact] = useState<Contact | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState(false);

  const load = useCallback(() => {
    inboxApi
      .contact(contactId)
      .then((c) => {
        setContact(c);
        setError(null);
      })
      .catch(setError);
  }, [contactId]);

  useEffect(() => {
    setContact(null);
    setEditing(false);
    load();
  }, [load]);

  useRealtimeEvent('contact.updated', (payload: { contactId: string }) => {
    if (payload?.contactId === contactId && !editing) load();
  });

  if (error && !contact) {
    return (
      <div className="panel-error" role="alert">
        {errorMessage(t, error)}{' '}
        <button type="button" className="link-button" onClick={load}>
          {t('common.retry')}
        </button>
      </div>
    );
  }
  if (!contact) return <div className="skeleton skeleton--block" aria-busy="true" />;

  if (editing) {
    return (
      <ContactForm
        contact={contact}
        onCancel={() => setEditing(false)}
        onSaved={(saved) => {
          setContact(saved);
          setEditing(false);
          toast(t('contacts.saved'), 'success');
          onSaved?.(saved);
        }}
      />
    );
  }

  const attributes = Object.entries(contact.attributes);
  return (
    <div className={large ? 'contact-card contact-card--large' : 'contact-card'} data-testid="contact-card">
      <div className="contact-card__head">
        <span
          className={large ? 'avatar' : 'avatar avatar--sm'}
          style={{ '--hue': avatarHue(contact.id) } as CSSProperties}
          aria-hidden="true"
        >
          {initials(contact.name ?? contact.phone)}
        </span>
        <div className="contact-card__title">
          <h3 className="contact-card__name" data-testid="contact-name">
            {contactName(contact, t)}
          </h3>
          <span className="contact-card__ids">
            {contact.identities.map((identity) => (
              <span
                key={`${identity.channel}:${identity.externalId}`}
                className="chip"
                title={t(`channel.${identity.channel as 'whatsapp'}`, { defaultValue: identity.channel })}
              >
                <ChannelIcon channel={identity.channel} size={12} />
                {identity.externalId}
              </span>
            ))}
          </span>
        </div>
        {can('contacts.manage') ? (
          <button
            type="button"
            className="icon-button"
            onClick={() => setEditing(true)}
            aria-label={t('contacts.edit')}
            title={t('contacts.edit')}
            data-testid="contact-edit"
          >
            <Icon name="note" />
          </button>
        ) : null}
      </div>
      <dl className="kv">
        <div className="kv__row">
          <dt>
            <Icon name="phone" size={14} />
            {t('contacts.phone')}
          </dt>
          <dd data-testid="contact-phone">
            {contact.phone ? <a href={`tel:${contact.phone}`}>{contact.phone}</a> : <span className="muted">—</span>}
          </dd>
        </div>
        <div className="kv__row">
          <dt>
            <Icon name="send" size={14} />
            {t('contacts.email')}
          </dt>
          <dd data-testid="contact-email">
            {contact.email ? <a href={`mailto:${contact.email}`}>{contact.email}</a> : <span className="muted">—</span>}
          </dd>
        </div>
        {attributes.map(([key, value]) => (
          <div key={key} className="kv__row">
            <dt>
              <Icon name="tag" size={14} />
              {key}
            </dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

function ContactForm({ contact, onCancel, onSaved }: { contact: Contact; onCancel(): void; onSaved(contact: Contact): void }) {
  const { t } = useTranslation('contacts');
  const [name, setName] = useState(contact.name ?? '');
  const [phone, setPhone] = useState(contact.phone ?? '');
  const [email, setEmail] = useState(contact.email ?? '');
  const [rows, setRows] = useState<Row[]>(() => Object.entries(contact.attributes).map(([key, value]) => ({ key, value })));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (email.trim() && !isValidEmail(email.trim())) found.email = t('validation.email');
    if (phone.trim() && !/^\+?[0-9 ()-]{5,30}$/.test(phone.trim())) found.phone = t('contacts.invalidPhone');
    const keys = rows.map((r) => r.key.trim()).filter(Boolean);
    if (new Set(keys).size !== keys.length) found.attributes = t('contacts.duplicateAttribute');
    setErrors(found);
    if (Object.keys(found).length) return;
    setBusy(true);
    setFormError(undefined);
    try {
      const attributes = Object.fromEntries(rows.filter((r) => r.key.trim()).map((r) => [r.key.trim(), r.value]));
      const saved = await inboxApi.updateContact(contact.id, {
        name: name.trim() || null,
        phone: phone.trim() || null,
        email: email.trim() || null,
        attributes,
      });
      onSaved(saved);
    } catch (error) {
      setBusy(false);
      if (error instanceof ApiError && (error.status === 400 || error.status === 422) && Object.keys(error.fieldErrors).length) {
        setErrors(error.fieldErrors);
        return;
      }
      setFormError(errorMessage(t, error));
    }
  }

  return (
    <form className="contact-form" onSubmit={submit} noValidate data-testid="contact-form">
      {formError ? (
        <p className="form-error" role="alert">
          {formError}
        </p>
      ) : null}
      <label className="mini-field mini-field--stack">
        <span>{t('contacts.name')}</span>
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={200}
          aria-invalid={errors.name ? true : undefined}
          data-testid="contact-name-input"
        />
        {errors.name ? <span className="field__error">{errors.name}</span> : null}
      </label>
      <label className="mini-field mini-field--stack">
        <span>{t('contacts.phone')}</span>
        <input
          value={phone}
          onChange={(e) => setPhone(e.target.value)}
          inputMode="tel"
          aria-invalid={errors.phone ? true : undefined}
          data-testid="contact-phone-input"
        />
        {errors.phone ? <span className="field__error">{errors.phone}</span> : null}
      </label>
      <label className="mini-field mini-field--stack">
        <span>{t('contacts.email')}</span>
        <input
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          inputMode="email"
          aria-invalid={errors.email ? true : undefined}
          data-testid="contact-email-input"
        />
        {errors.email ? <span className="field__error">{errors.email}</span> : null}
      </label>
      <fieldset className="attr-editor">
        <legend>{t('contacts.attributes')}</legend>
        {rows.map((row, index) => (
          <div key={index} className="attr-editor__row">
            <input
              value={row.key}
              placeholder={t('contacts.attributeName')}
              aria-label={t('contacts.attributeName')}
              maxLength={100}
              onChange={(e) => setRows((list) => list.map((r, i) => (i === index ? { ...r, key: e.target.value } : r)))}
            />
            <input
              value={row.value}
              placeholder={t('contacts.attributeValue')}
              aria-label={t('contacts.attributeValue')}
              maxLength={1000}
              onChange={(e) => setRows((list) => list.map((r, i) => (i === index ? { ...r, value: e.target.value } : r)))}
            />
            <button
              type="button"
              className="icon-button icon-button--sm"
              onClick={() => setRows((list) => list.filter((_, i) => i !== index))}
              aria-label={t('contacts.removeAttribute')}
            >
              <Icon name="trash" size={14} />
            </button>
          </div>
        ))}
        {errors.attributes ? <span className="field__error">{errors.attributes}</span> : null}
        <button
          type="button"
          className="link-button"
          onClick={() => setRows((list) => [...list, { key: '', value: '' }])}
          data-testid="contact-add-attribute"
        >
          <Icon name="plus" size={14} />
          {t('contacts.addAttribute')}
        </button>
      </fieldset>
      <div className="form-actions">
        <button type="button" className="button button--secondary button--sm" onClick={onCancel} disabled={busy}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="button button--primary button--sm" disabled={busy} data-testid="contact-save">
          {busy ? <span className="spinner" aria-hidden="true" /> : null}
          {t('common.save')}
        </button>
      </div>
    </form>
  );
}
