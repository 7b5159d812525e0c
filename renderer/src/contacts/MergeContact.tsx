// Merge another contact into this one (the same person on WhatsApp and Instagram, say): their
// channel identities and conversations move here, and the other contact is removed.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useToast } from '../components/Toasts';
import { errorMessage } from '../errors';
import { contactName } from '../format';
import { useWorkspace } from '../workspace';
import { inboxApi, type Contact } from '../inbox/api';

interface Props {
  contact: Pick<Contact, 'id'>;
  onMerged(merged: Contact, removedId: string): void;
}

export function MergeContact({ contact, onMerged }: Props) {
  const { t } = useTranslation('contacts');
  const { can } = useWorkspace();
  const toast = useToast();
  const [search, setSearch] = useState('');
  const [results, setResults] = useState<Contact[]>([]);
  const [chosen, setChosen] = useState<Contact | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const q = search.trim();
    if (q.length < 2) {
      setResults([]);
      return;
    }
    let cancelled = false;
    const timer = setTimeout(() => {
      inboxApi
        .contacts(q, null, 8)
        .then((page) => !cancelled && setResults(page.data.filter((c) => c.id !== contact.id)))
        .catch(() => !cancelled && setResults([]));
    }, 250);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [search, contact.id]);

  if (!can('contacts.manage')) return null;

  const merge = async () => {
    if (!chosen) return;
    setBusy(true);
    setError(null);
    try {
      const merged = await inboxApi.mergeContact(contact.id, chosen.id);
      toast(t('contacts.merge.done', { name: contactName(chosen, t) }), 'success');
      onMerged(merged, chosen.id);
      setChosen(null);
      setSearch('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel-section" aria-labelledby="merge-contact" data-testid="merge-contact">
      <h3 id="merge-contact" className="panel-section__title">
        {t('contacts.merge.title')}
      </h3>
      <p className="muted">{t('contacts.merge.hint')}</p>
      {chosen ? (
        <div className="merge-confirm">
          <p>{t('contacts.merge.confirm', { name: contactName(chosen, t) })}</p>
          <div className="row-actions">
            <button type="button" className="button button--primary" onClick={merge} disabled={busy} data-testid="merge-confirm">
              {busy ? <span className="spinner" aria-hidden="true" /> : null}
              {t('contacts.merge.button')}
            </button>
            <button type="button" className="button" onClick={() => setChosen(null)} disabled={busy}>
              {t('contacts.merge.cancel')}
            </button>
          </div>
        </div>
      ) : (
        <>
          <input
            type="search"
            className="input"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder={t('contacts.merge.searchPlaceholder')}
            aria-label={t('contacts.merge.searchPlaceholder')}
            data-testid="merge-search"
          />
          <ul className="mini-list">
            {results.map((c) => (
              <li key={c.id}>
                <button type="button" className="link-button" onClick={() => setChosen(c)} data-testid="merge-candidate">
                  {contactName(c, t)} {c.phone || c.email ? <span className="muted">· {c.phone ?? c.email}</span> : null}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      {error ? (
        <p className="panel-error" role="alert">
          {errorMessage(t, error)}
        </p>
      ) : null}
    </section>
  );
}
