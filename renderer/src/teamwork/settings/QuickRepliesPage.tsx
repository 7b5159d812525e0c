// Quick replies: the agent's own and the team's shared canned answers (shared ones need "Manage
// shared quick replies"), with variables, favorites, CSV import (bad lines reported, good ones
// saved) and export.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api';
import { Dialog } from '../../components/Dialog';
import { FormError } from '../../components/FormError';
import { Icon } from '../../components/Icon';
import { SubmitButton } from '../../components/SubmitButton';
import { useToast } from '../../components/Toasts';
import { errorMessage } from '../../errors';
import { QUICK_REPLY_VARIABLES, teamApi, type ImportResult, type QuickReply, type QuickReplyScope } from '../api';
import { useWorkspace } from '../../workspace';
import { SettingsPage } from '../../settings/SettingsLayout';
import { fieldErrorsOf, problemText } from '../../settings/ui';

type ScopeFilter = 'all' | QuickReplyScope;

function ReplyForm({ reply, onClose, onSaved }: { reply: QuickReply | null; onClose(): void; onSaved(): void }) {
  const { t } = useTranslation('teamwork');
  const { can } = useWorkspace();
  const canShare = can('quick_replies.manage');
  const [shortcut, setShortcut] = useState(reply?.shortcut ?? '');
  const [title, setTitle] = useState(reply?.title ?? '');
  const [body, setBody] = useState(reply?.body ?? '');
  const [scope, setScope] = useState<QuickReplyScope>(reply?.scope ?? (canShare ? 'shared' : 'personal'));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const bodyRef = useRef<HTMLTextAreaElement>(null);

  function insertVariable(name: string) {
    const el = bodyRef.current;
    const token = `{{${name}}}`;
    const start = el?.selectionStart ?? body.length;
    const end = el?.selectionEnd ?? body.length;
    setBody(body.slice(0, start) + token + body.slice(end));
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + token.length, start + token.length);
    });
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const local: Record<string, string> = {};
    if (!shortcut.trim()) local.shortcut = t('validation.required');
    if (!body.trim()) local.body = t('validation.required');
    setFieldErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    setError(undefined);
    try {
      const input = { shortcut: shortcut.trim(), title: title.trim() || null, body, scope };
      if (reply) await teamApi.updateQuickReply(reply.id, input);
      else await teamApi.createQuickReply(input);
      onSaved();
      onClose();
    } catch (err) {
      const fields = fieldErrorsOf(err, t);
      if (fields.body && err instanceof ApiError && err.status === 400) fields.body = t('quickReplies.badVariable');
      setFieldErrors(fields);
      setError(problemText(t, err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      title={reply ? t('quickReplies.edit') : t('quickReplies.create')}
      onClose={onClose}
      testId="quick-reply-dialog"
      className="dialog--form"
    >
      <form className="stack-form" onSubmit={submit} noValidate>
        <FormError message={error} />
        <div className="form-grid">
          <div className={fieldErrors.shortcut ? 'field field--invalid' : 'field'}>
            <label className="field__label" htmlFor="qr-shortcut">
              {t('quickReplies.shortcut')}
            </label>
            <div className="prefixed">
              <span aria-hidden="true">/</span>
              <input
                id="qr-shortcut"
                className="field__input"
                value={shortcut}
                maxLength={65}
                onChange={(e) => setShortcut(e.target.value)}
                data-testid="qr-shortcut"
                data-autofocus
              />
            </div>
            {fieldErrors.shortcut ? (
              <p className="field__error">{fieldErrors.shortcut}</p>
            ) : (
              <p className="field__hint">{t('quickReplies.shortcutHint')}</p>
            )}
          </div>
          <div className="field">
            <label className="field__label" htmlFor="qr-title">
              {t('quickReplies.titleLabel')}
            </label>
            <input
              id="qr-title"
              className="field__input"
              value={title}
              maxLength={200}
              onChange={(e) => setTitle(e.target.value)}
              data-testid="qr-title"
            />
          </div>
        </div>
        <div className={fieldErrors.body ? 'field field--invalid' : 'field'}>
          <label className="field__label" htmlFor="qr-body">
            {t('quickReplies.body')}
          </label>
          <textarea
            id="qr-body"
            ref={bodyRef}
            className="field__input"
            rows={5}
            maxLength={4096}
            value={body}
            onChange={(e) => setBody(e.target.value)}
            data-testid="qr-body"
          />
          {fieldErrors.body ? <p className="field__error">{fieldErrors.body}</p> : null}
          <div className="variable-chips" aria-label={t('quickReplies.variables')}>
            <span className="mini-label">{t('quickReplies.variables')}</span>
            {QUICK_REPLY_VARIABLES.map((v) => (
              <button
                key={v}
                type="button"
                className="chip chip--button"
                onClick={() => insertVariable(v)}
                title={t(`quickReplies.variable.${v.replace('.', '_') as 'contact_name'}`)}
              >
                {`{{${v}}}`}
              </button>
            ))}
          </div>
          <p className="field__hint">{t('quickReplies.fallbackHint', { example: '{{contact.name | Kak}}' })}</p>
        </div>
        <fieldset className="radio-row">
          <legend className="field__label">{t('quickReplies.scopeLabel')}</legend>
          <label>
            <input
              type="radio"
              name="qr-scope"
              checked={scope === 'personal'}
              onChange={() => setScope('personal')}
              data-testid="qr-scope-personal"
            />{' '}
            {t('quickReplies.scope.personal')}
          </label>
          <label className={canShare ? undefined : 'muted'}>
            <input
              type="radio"
              name="qr-scope"
              checked={scope === 'shared'}
              disabled={!canShare}
              onChange={() => setScope('shared')}
              data-testid="qr-scope-shared"
            />{' '}
            {t('quickReplies.scope.shared')}
          </label>
          {!canShare ? <p className="field__hint">{t('quickReplies.sharedNeedsPermission')}</p> : null}
        </fieldset>
        <div className="form-actions">
          <button type="button" className="button button--secondary" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <SubmitButton busy={busy} busyLabel={t('settings.saving')} data-testid="qr-save">
            {t('common.save')}
          </SubmitButton>
        </div>
      </form>
    </Dialog>
  );
}

function ImportDialog({ onClose, onDone }: { onClose(): void; onDone(): void }) {
  const { t } = useTranslation('teamwork');
  const { can } = useWorkspace();
  const [file, setFile] = useState<File | null>(null);
  const [scope, setScope] = useState<QuickReplyScope>('personal');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [result, setResult] = useState<ImportResult | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!file) {
      setError(t('quickReplies.chooseFile'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const r = await teamApi.importQuickReplies(file, scope);
      setResult(r);
      onDone();
    } catch (err) {
      setError(problemText(t, err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={t('quickReplies.importTitle')} onClose={onClose} testId="quick-reply-import" className="dialog--form">
      <form className="stack-form" onSubmit={submit} noValidate>
        <p className="field__hint">{t('quickReplies.importHint')}</p>
        <pre className="csv-sample">
          shortcut,title,scope,body{'\n'}halo,Salam,shared,"Halo {'{{contact.name | Kak}}'}, ada yang bisa kami bantu?"
        </pre>
        <FormError message={error} />
        <div className="field">
          <label className="field__label" htmlFor="qr-file">
            {t('quickReplies.file')}
          </label>
          <input
            id="qr-file"
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            data-testid="qr-import-file"
          />
        </div>
        <div className="field">
          <label className="field__label" htmlFor="qr-import-scope">
            {t('quickReplies.defaultScope')}
          </label>
          <select id="qr-import-scope" className="field__input" value={scope} onChange={(e) => setScope(e.target.value as QuickReplyScope)}>
            <option value="personal">{t('quickReplies.scope.personal')}</option>
            {can('quick_replies.manage') ? <option value="shared">{t('quickReplies.scope.shared')}</option> : null}
          </select>
        </div>
        {result ? (
          <div className="import-result" role="status" data-testid="qr-import-result">
            <p>
              <strong>{t('quickReplies.imported', { count: result.imported })}</strong>{' '}
              {t('quickReplies.importedDetail', { created: result.created, updated: result.updated })}
            </p>
            {result.errors.length ? (
              <>
                <p className="text-danger">{t('quickReplies.importErrors', { count: result.errors.length })}</p>
                <ul className="import-result__errors" data-testid="qr-import-errors">
                  {result.errors.map((e, i) => (
                    <li key={i}>
                      <span className="import-result__line">{t('quickReplies.line', { line: e.line })}</span> {e.message}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </div>
        ) : null}
        <div className="form-actions">
          <button type="button" className="button button--secondary" onClick={onClose}>
            {result ? t('common.close') : t('common.cancel')}
          </button>
          <SubmitButton busy={busy} busyLabel={t('quickReplies.importing')} data-testid="qr-import-submit">
            <Icon name="upload" size={14} /> {t('quickReplies.import')}
          </SubmitButton>
        </div>
      </form>
    </Dialog>
  );
}

export function QuickRepliesPage() {
  const { t } = useTranslation('teamwork');
  const toast = useToast();
  const { can, me } = useWorkspace();
  const canShare = can('quick_replies.manage');
  const [items, setItems] = useState<QuickReply[] | null>(null);
  const [error, setError] = useState<string>();
  const [filter, setFilter] = useState<ScopeFilter>('all');
  const [search, setSearch] = useState('');
  const [editing, setEditing] = useState<QuickReply | null | 'new'>(null);
  const [importing, setImporting] = useState(false);

  const load = useCallback(() => {
    teamApi.quickReplies({ limit: 200 }).then(
      (page) => setItems(page.data),
      (err: unknown) => setError(errorMessage(t, err)),
    );
  }, [t]);
  useEffect(load, [load]);

  const mayEdit = (r: QuickReply) => (r.scope === 'shared' ? canShare : r.ownerId === me.id);

  async function toggleFavorite(r: QuickReply) {
    try {
      if (r.favorite) await teamApi.unfavoriteQuickReply(r.id);
      else await teamApi.favoriteQuickReply(r.id);
      setItems((list) => list?.map((x) => (x.id === r.id ? { ...x, favorite: !r.favorite } : x)) ?? null);
    } catch (err) {
      toast(problemText(t, err), 'error');
    }
  }

  async function remove(r: QuickReply) {
    if (!window.confirm(t('quickReplies.confirmDelete', { shortcut: r.shortcut }))) return;
    try {
      await teamApi.deleteQuickReply(r.id);
      setItems((list) => list?.filter((x) => x.id !== r.id) ?? null);
    } catch (err) {
      toast(problemText(t, err), 'error');
    }
  }

  const q = search.trim().toLowerCase();
  const shown = (items ?? [])
    .filter((r) => filter === 'all' || r.scope === filter)
    .filter((r) => !q || r.shortcut.includes(q) || (r.title ?? '').toLowerCase().includes(q) || r.body.toLowerCase().includes(q));

  return (
    <SettingsPage
      actions={
        <>
          <a
            className="button button--secondary"
            href={teamApi.quickRepliesExportUrl()}
            download="quick-replies.csv"
            data-testid="qr-export"
          >
            <Icon name="download" size={16} />
            {t('quickReplies.export')}
          </a>
          <button type="button" className="button button--secondary" onClick={() => setImporting(true)} data-testid="qr-import">
            <Icon name="upload" size={16} />
            {t('quickReplies.import')}
          </button>
          <button type="button" className="button button--primary" onClick={() => setEditing('new')} data-testid="qr-create">
            <Icon name="plus" size={16} />
            {t('quickReplies.create')}
          </button>
        </>
      }
    >
      <div className="toolbar-row">
        <div className="segmented" role="group" aria-label={t('quickReplies.scopeLabel')}>
          {(['all', 'shared', 'personal'] as ScopeFilter[]).map((s) => (
            <button key={s} type="button" className="segmented__item" aria-pressed={filter === s} onClick={() => setFilter(s)}>
              {s === 'all' ? t('quickReplies.all') : t(`quickReplies.scope.${s}`)}
            </button>
          ))}
        </div>
        <input
          type="search"
          className="toolbar-row__search"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          placeholder={t('quickReplies.search')}
          aria-label={t('quickReplies.search')}
        />
      </div>
      <p className="field__hint">{t('quickReplies.howTo')}</p>
      <FormError message={error} />
      {items === null && !error ? <div className="skeleton skeleton--block" /> : null}
      {items !== null && shown.length === 0 ? (
        <div className="empty-state">
          <Icon name="zap" size={32} />
          <p className="empty-state__title">{items.length ? t('quickReplies.noMatchesTitle') : t('quickReplies.emptyTitle')}</p>
          <p>{items.length ? '' : t('quickReplies.emptyHint')}</p>
        </div>
      ) : null}
      <ul className="entity-list">
        {shown.map((r) => (
          <li key={r.id} className="card entity entity--compact" data-testid="quick-reply-row" data-shortcut={r.shortcut}>
            <div className="entity__head">
              <div className="entity__main">
                <p className="entity__title">
                  <span className="qr-picker__shortcut">/{r.shortcut}</span>
                  {r.title ? <span>{r.title}</span> : null}
                  <span className={`qr-scope qr-scope--${r.scope}`}>{t(`quickReplies.scope.${r.scope}`)}</span>
                </p>
                <p className="entity__body">{r.body}</p>
                <p className="muted">{t('quickReplies.used', { count: r.usageCount })}</p>
              </div>
              <div className="entity__actions">
                <button
                  type="button"
                  className={r.favorite ? 'icon-button icon-button--star' : 'icon-button'}
                  onClick={() => void toggleFavorite(r)}
                  aria-pressed={r.favorite}
                  aria-label={r.favorite ? t('quickReplies.unfavorite') : t('quickReplies.favorite')}
                  title={r.favorite ? t('quickReplies.unfavorite') : t('quickReplies.favorite')}
                  data-testid="qr-favorite"
                >
                  <Icon name="star" fill={r.favorite ? 'currentColor' : 'none'} />
                </button>
                {mayEdit(r) ? (
                  <>
                    <button
                      type="button"
                      className="icon-button"
                      onClick={() => setEditing(r)}
                      aria-label={t('quickReplies.edit')}
                      title={t('quickReplies.edit')}
                    >
                      <Icon name="note" />
                    </button>
                    <button
                      type="button"
                      className="icon-button"
                      onClick={() => void remove(r)}
                      aria-label={t('quickReplies.delete')}
                      title={t('quickReplies.delete')}
                    >
                      <Icon name="trash" />
                    </button>
                  </>
                ) : null}
              </div>
            </div>
          </li>
        ))}
      </ul>
      {editing ? (
        <ReplyForm
          reply={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            toast(t('settings.saved'), 'success');
            load();
          }}
        />
      ) : null}
      {importing ? <ImportDialog onClose={() => setImporting(false)} onDone={load} /> : null}
    </SettingsPage>
  );
}
