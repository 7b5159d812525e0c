// Quick replies: the agent's own and the team's shared canned answers (shared ones need "Manage
// shared quick replies"), with variables, favorites, CSV import (bad lines reported, good ones
// saved) and export.
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api';
import { Icon } from '../../components/Icon';
import { useToast } from '../../components/Toasts';
import { SettingsDialogForm, SettingsField, useSettingsForm } from '../../settings/SettingsDialogForm';
import {
  CreateButton,
  DeleteButton,
  EditButton,
  SettingsListPage,
  SettingsListRow,
  useSettingsList,
} from '../../settings/SettingsListPage';
import { useSettingsAction } from '../../settings/ui';
import { useWorkspace } from '../../workspace';
import { QUICK_REPLY_VARIABLES, teamApi, type ImportResult, type QuickReply, type QuickReplyScope } from '../api';
import '../QuickReplyPicker.css';
import './QuickRepliesPage.css';

type ScopeFilter = 'all' | QuickReplyScope;

function ReplyForm({ reply, onClose, onSaved }: { reply: QuickReply | null; onClose(): void; onSaved(): void }) {
  const { t } = useTranslation('teamwork');
  const { can } = useWorkspace();
  const canShare = can('quick_replies.manage');
  const [shortcut, setShortcut] = useState(reply?.shortcut ?? '');
  const [title, setTitle] = useState(reply?.title ?? '');
  const [body, setBody] = useState(reply?.body ?? '');
  const [scope, setScope] = useState<QuickReplyScope>(reply?.scope ?? (canShare ? 'shared' : 'personal'));
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const form = useSettingsForm({
    validate: () => {
      const local: Record<string, string> = {};
      if (!shortcut.trim()) local.shortcut = t('validation.required');
      if (!body.trim()) local.body = t('validation.required');
      return local;
    },
    save: async () => {
      const input = { shortcut: shortcut.trim(), title: title.trim() || null, body, scope };
      if (reply) await teamApi.updateQuickReply(reply.id, input);
      else await teamApi.createQuickReply(input);
      onSaved();
      onClose();
    },
    // The server refuses a body with an unknown variable.
    fieldErrors: (fields, err) =>
      fields.body && err instanceof ApiError && err.status === 400 ? { ...fields, body: t('quickReplies.badVariable') } : fields,
  });

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

  return (
    <SettingsDialogForm
      title={reply ? t('quickReplies.edit') : t('quickReplies.create')}
      testId="quick-reply-dialog"
      saveTestId="qr-save"
      form={form}
      onClose={onClose}
    >
      <div className="form-grid">
        <SettingsField
          label={t('quickReplies.shortcut')}
          htmlFor="qr-shortcut"
          error={form.fieldErrors.shortcut}
          hint={t('quickReplies.shortcutHint')}
        >
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
        </SettingsField>
        <SettingsField label={t('quickReplies.titleLabel')} htmlFor="qr-title">
          <input
            id="qr-title"
            className="field__input"
            value={title}
            maxLength={200}
            onChange={(e) => setTitle(e.target.value)}
            data-testid="qr-title"
          />
        </SettingsField>
      </div>
      <SettingsField
        label={t('quickReplies.body')}
        htmlFor="qr-body"
        error={form.fieldErrors.body}
        after={
          <>
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
          </>
        }
      >
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
      </SettingsField>
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
    </SettingsDialogForm>
  );
}

function ImportDialog({ onClose, onDone }: { onClose(): void; onDone(): void }) {
  const { t } = useTranslation('teamwork');
  const { can } = useWorkspace();
  const [file, setFile] = useState<File | null>(null);
  const [scope, setScope] = useState<QuickReplyScope>('personal');
  const [result, setResult] = useState<ImportResult | null>(null);
  const form = useSettingsForm({
    validate: () => (file ? undefined : t('quickReplies.chooseFile')),
    save: async () => {
      setResult(await teamApi.importQuickReplies(file!, scope));
      onDone();
    },
  });

  return (
    <SettingsDialogForm
      title={t('quickReplies.importTitle')}
      testId="quick-reply-import"
      saveTestId="qr-import-submit"
      form={form}
      onClose={onClose}
      intro={
        <>
          <p className="field__hint">{t('quickReplies.importHint')}</p>
          <pre className="csv-sample">
            shortcut,title,scope,body{'\n'}halo,Salam,shared,"Halo {'{{contact.name | Kak}}'}, ada yang bisa kami bantu?"
          </pre>
        </>
      }
      cancelLabel={result ? t('common.close') : t('common.cancel')}
      busyLabel={t('quickReplies.importing')}
      submitLabel={
        <>
          <Icon name="upload" size={14} /> {t('quickReplies.import')}
        </>
      }
    >
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
    </SettingsDialogForm>
  );
}

export function QuickRepliesPage() {
  const { t } = useTranslation('teamwork');
  const toast = useToast();
  const act = useSettingsAction();
  const { can, me } = useWorkspace();
  const canShare = can('quick_replies.manage');
  const list = useSettingsList(() => teamApi.quickReplies({ limit: 200 }).then((page) => page.data));
  const [filter, setFilter] = useState<ScopeFilter>('all');
  const [search, setSearch] = useState('');
  const [editing, setEditing] = useState<QuickReply | null | 'new'>(null);
  const [importing, setImporting] = useState(false);

  const mayEdit = (r: QuickReply) => (r.scope === 'shared' ? canShare : r.ownerId === me.id);

  const toggleFavorite = (r: QuickReply) =>
    act(async () => {
      if (r.favorite) await teamApi.unfavoriteQuickReply(r.id);
      else await teamApi.favoriteQuickReply(r.id);
      list.setItems((items) => items?.map((x) => (x.id === r.id ? { ...x, favorite: !r.favorite } : x)) ?? null);
    });

  const remove = (r: QuickReply) =>
    act(
      async () => {
        await teamApi.deleteQuickReply(r.id);
        list.setItems((items) => items?.filter((x) => x.id !== r.id) ?? null);
      },
      { confirm: t('quickReplies.confirmDelete', { shortcut: r.shortcut }) },
    );

  const q = search.trim().toLowerCase();
  const shown = (list.items ?? [])
    .filter((r) => filter === 'all' || r.scope === filter)
    .filter((r) => !q || r.shortcut.includes(q) || (r.title ?? '').toLowerCase().includes(q) || r.body.toLowerCase().includes(q));
  const filtered = Boolean(list.items?.length);

  return (
    <SettingsListPage
      list={list}
      shown={shown}
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
          <CreateButton label={t('quickReplies.create')} onClick={() => setEditing('new')} testId="qr-create" />
        </>
      }
      toolbar={
        <>
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
        </>
      }
      empty={
        filtered
          ? { icon: 'zap', title: t('quickReplies.noMatchesTitle'), hint: '' }
          : { icon: 'zap', title: t('quickReplies.emptyTitle'), hint: t('quickReplies.emptyHint') }
      }
      renderItem={(r) => (
        <SettingsListRow
          key={r.id}
          compact
          titleAs="p"
          testId="quick-reply-row"
          data={{ shortcut: r.shortcut }}
          title={
            <>
              <span className="qr-picker__shortcut">/{r.shortcut}</span>
              {r.title ? <span>{r.title}</span> : null}
              <span className={`qr-scope qr-scope--${r.scope}`}>{t(`quickReplies.scope.${r.scope}`)}</span>
            </>
          }
          details={
            <>
              <p className="entity__body">{r.body}</p>
              <p className="muted">{t('quickReplies.used', { count: r.usageCount })}</p>
            </>
          }
          actions={
            <>
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
                  <EditButton label={t('quickReplies.edit')} onClick={() => setEditing(r)} />
                  <DeleteButton label={t('quickReplies.delete')} onClick={() => void remove(r)} />
                </>
              ) : null}
            </>
          }
        />
      )}
    >
      {editing ? (
        <ReplyForm
          reply={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            toast(t('settings.saved'), 'success');
            list.reload();
          }}
        />
      ) : null}
      {importing ? <ImportDialog onClose={() => setImporting(false)} onDone={list.reload} /> : null}
    </SettingsListPage>
  );
}
