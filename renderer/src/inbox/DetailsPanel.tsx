// The right pane: the contact, the conversation's status, assignee and tags, notes, and the
// contact's other conversations.
import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api';
import { ChannelIcon, Icon } from '../components/Icon';
import { useToast } from '../components/Toasts';
import { errorMessage } from '../errors';
import { formatDateTime, formatListTime } from '../format';
import { useRealtime } from '../realtime';
import { useWorkspace } from '../workspace';
import { CONVERSATION_STATUSES, inboxApi, type Agent, type Conversation, type ConversationStatus, type Note } from './api';
import { ContactCard } from '../contacts/ContactCard';
import { previewText } from './ConversationList';
import { useNotes } from './thread/useThread';
import { CsatSection } from '../teamwork/Csat';
import { useTeam } from '../teamwork/TeamContext';
import { TransferButton, TransferHistory } from '../teamwork/Transfer';
import './DetailsPanel.css';

interface Props {
  conversation: Conversation;
  onClose(): void;
  onConversation(conversation: Conversation): void;
  onAssignToMe(): void;
  onStatus(status: ConversationStatus): void;
}

export function DetailsPanel({ conversation, onClose, onConversation, onAssignToMe, onStatus }: Props) {
  const { t } = useTranslation('inbox');
  const { can } = useWorkspace();
  return (
    <aside className="details-panel" aria-label={t('inbox.details')} data-testid="details-panel">
      <header className="details-panel__header">
        <h2 className="pane-title">{t('inbox.details')}</h2>
        <button type="button" className="icon-button" onClick={onClose} aria-label={t('common.close')} data-testid="close-details">
          <Icon name="x" />
        </button>
      </header>
      <div className="details-panel__scroll">
        <section className="panel-section" aria-labelledby="panel-contact">
          <h3 id="panel-contact" className="panel-section__title">
            {t('inbox.contact')}
          </h3>
          <ContactCard
            contactId={conversation.contact.id}
            onSaved={(contact) =>
              onConversation({
                ...conversation,
                contact: { id: contact.id, name: contact.name, phone: contact.phone, email: contact.email },
              })
            }
          />
        </section>
        <ConversationSection conversation={conversation} onConversation={onConversation} onAssignToMe={onAssignToMe} onStatus={onStatus} />
        <CsatSection conversation={conversation} />
        <NotesSection conversationId={conversation.id} />
        <TransferHistory conversationId={conversation.id} />
        {can('conversations.view') ? <OtherConversations conversation={conversation} /> : null}
      </div>
    </aside>
  );
}

function ConversationSection({ conversation, onConversation, onAssignToMe, onStatus }: Omit<Props, 'onClose'>) {
  const { t } = useTranslation(['inbox', 'teamwork']);
  const toast = useToast();
  const { can, agents, me } = useWorkspace();
  const { divisionName } = useTeam();
  const [tag, setTag] = useState('');
  const canManage = can('conversations.manage');

  async function act(work: () => Promise<Conversation>) {
    try {
      onConversation(await work());
    } catch (error) {
      toast(error instanceof ApiError && error.status === 403 ? t('inbox.notAllowed') : errorMessage(t, error), 'error');
    }
  }

  function addTag(event: FormEvent) {
    event.preventDefault();
    const value = tag.trim();
    if (!value) return;
    setTag('');
    void act(() => inboxApi.setTags(conversation.id, { add: [value] }));
  }

  // The assignee stays choosable even when suspended or unknown to this agent's list.
  const assignable: Pick<Agent, 'id' | 'name' | 'online'>[] = agents.filter((a) => a.status === 'active');
  if (conversation.assignee && !assignable.some((a) => a.id === conversation.assignee!.id)) {
    assignable.push({ id: conversation.assignee.id, name: conversation.assignee.name, online: false });
  }

  return (
    <section className="panel-section" aria-labelledby="panel-conversation">
      <h3 id="panel-conversation" className="panel-section__title">
        {t('inbox.conversation')}
      </h3>
      <div className="panel-grid">
        <label className="mini-field mini-field--stack">
          <span>{t('inbox.statusLabel')}</span>
          {canManage ? (
            <select
              value={conversation.status}
              onChange={(e) => onStatus(e.target.value as ConversationStatus)}
              data-testid="details-status"
            >
              {CONVERSATION_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`conversationStatus.${s}`)}
                </option>
              ))}
            </select>
          ) : (
            <span className="value">{t(`conversationStatus.${conversation.status}`)}</span>
          )}
        </label>
        <label className="mini-field mini-field--stack">
          <span>{t('inbox.assigneeLabel')}</span>
          {canManage ? (
            <select
              value={conversation.assignee?.id ?? ''}
              onChange={(e) => void act(() => inboxApi.assign(conversation.id, e.target.value || null))}
              data-testid="details-assignee"
            >
              <option value="">{t('inbox.unassigned')}</option>
              {assignable.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.id === me.id ? t('inbox.meName', { name: a.name }) : a.name}
                  {a.online ? ` · ${t('presence.online')}` : ''}
                </option>
              ))}
            </select>
          ) : (
            <span className="value">{conversation.assignee ? conversation.assignee.name : t('inbox.unassigned')}</span>
          )}
        </label>
      </div>
      <div className="panel-division" data-testid="details-division">
        <span className="mini-label">{t('inbox.divisionLabel')}</span>
        <span className="value">{divisionName(conversation.divisionId) ?? t('teamwork:transfer.noDivisionValue')}</span>
        {conversation.status === 'open' || conversation.status === 'pending' ? (
          <TransferButton conversation={conversation} onConversation={onConversation} variant="panel" />
        ) : null}
      </div>
      {conversation.assignee?.id !== me.id && !canManage && can('messages.send') ? (
        <button type="button" className="button button--secondary button--sm" onClick={onAssignToMe}>
          <Icon name="userPlus" size={16} />
          {conversation.assignee ? t('inbox.takeOver') : t('inbox.assignToMe')}
        </button>
      ) : null}
      <div className="tags" data-testid="details-tags">
        <span className="mini-label">{t('inbox.tags')}</span>
        <ul className="tags__list">
          {conversation.tags.length === 0 ? <li className="muted">{t('inbox.noTags')}</li> : null}
          {conversation.tags.map((value) => (
            <li key={value} className="chip chip--tag">
              <Icon name="tag" size={11} />
              {value}
              {canManage ? (
                <button
                  type="button"
                  className="chip__remove"
                  onClick={() => void act(() => inboxApi.setTags(conversation.id, { remove: [value] }))}
                  aria-label={t('inbox.removeTag', { tag: value })}
                >
                  <Icon name="x" size={11} />
                </button>
              ) : null}
            </li>
          ))}
        </ul>
        {canManage ? (
          <form className="inline-form" onSubmit={addTag}>
            <input
              value={tag}
              onChange={(e) => setTag(e.target.value)}
              maxLength={50}
              placeholder={t('inbox.addTag')}
              aria-label={t('inbox.addTag')}
              data-testid="add-tag"
            />
            <button type="submit" className="icon-button" aria-label={t('inbox.addTag')} disabled={!tag.trim()}>
              <Icon name="plus" />
            </button>
          </form>
        ) : null}
      </div>
    </section>
  );
}

function NotesSection({ conversationId }: { conversationId: string }) {
  const { t, i18n } = useTranslation('inbox');
  const toast = useToast();
  const { me, can } = useWorkspace();
  const { notes, upsert, remove } = useNotes(conversationId);
  const [draft, setDraft] = useState('');
  const [editing, setEditing] = useState<{ id: string; body: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(work: () => Promise<void>) {
    setBusy(true);
    try {
      await work();
    } catch (error) {
      toast(errorMessage(t, error), 'error');
    } finally {
      setBusy(false);
    }
  }

  const mayChange = (note: Note) => note.author?.id === me.id || can('conversations.manage');

  return (
    <section className="panel-section" aria-labelledby="panel-notes">
      <h3 id="panel-notes" className="panel-section__title">
        <Icon name="lock" size={12} />
        {t('notes.title')}
      </h3>
      <ul className="notes">
        {notes.length === 0 ? <li className="muted">{t('notes.empty')}</li> : null}
        {notes.map((note) => (
          <li key={note.id} className="notes__item" data-testid="panel-note">
            {editing?.id === note.id ? (
              <form
                className="notes__edit"
                onSubmit={(e) => {
                  e.preventDefault();
                  const body = editing.body.trim();
                  if (!body) return;
                  void run(async () => {
                    upsert(await inboxApi.editNote(conversationId, note.id, body));
                    setEditing(null);
                  });
                }}
              >
                <textarea
                  value={editing.body}
                  onChange={(e) => setEditing({ id: note.id, body: e.target.value })}
                  rows={3}
                  aria-label={t('notes.edit')}
                />
                <div className="form-actions">
                  <button type="button" className="button button--secondary button--sm" onClick={() => setEditing(null)}>
                    {t('common.cancel')}
                  </button>
                  <button type="submit" className="button button--primary button--sm" disabled={busy}>
                    {t('common.save')}
                  </button>
                </div>
              </form>
            ) : (
              <>
                <p className="notes__body">{note.body}</p>
                <p className="notes__meta">
                  {note.author?.name ?? t('notes.unknownAuthor')} · {formatDateTime(note.createdAt, i18n.resolvedLanguage)}
                  {mayChange(note) ? (
                    <>
                      <button type="button" className="link-button" onClick={() => setEditing({ id: note.id, body: note.body })}>
                        {t('notes.edit')}
                      </button>
                      <button
                        type="button"
                        className="link-button link-button--danger"
                        onClick={() => {
                          if (!window.confirm(t('notes.confirmDelete'))) return;
                          void run(async () => {
                            await inboxApi.deleteNote(conversationId, note.id);
                            remove(note.id);
                          });
                        }}
                      >
                        {t('notes.delete')}
                      </button>
                    </>
                  ) : null}
                </p>
              </>
            )}
          </li>
        ))}
      </ul>
      <form
        className="notes__add"
        onSubmit={(e) => {
          e.preventDefault();
          const body = draft.trim();
          if (!body) return;
          void run(async () => {
            upsert(await inboxApi.addNote(conversationId, body));
            setDraft('');
          });
        }}
      >
        <textarea
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          rows={2}
          placeholder={t('composer.notePlaceholder')}
          aria-label={t('notes.add')}
          data-testid="panel-note-input"
        />
        <button type="submit" className="button button--note button--sm" disabled={busy || !draft.trim()} data-testid="panel-note-add">
          {t('notes.add')}
        </button>
      </form>
    </section>
  );
}

function OtherConversations({ conversation }: { conversation: Conversation }) {
  const { t, i18n } = useTranslation('inbox');
  const { resync } = useRealtime();
  const [others, setOthers] = useState<Conversation[] | null>(null);
  useEffect(() => {
    let cancelled = false;
    inboxApi
      .contactConversations(conversation.contact.id)
      .then((page) => {
        if (!cancelled) setOthers(page.data.filter((c) => c.id !== conversation.id));
      })
      .catch(() => {
        if (!cancelled) setOthers([]);
      });
    return () => {
      cancelled = true;
    };
  }, [conversation.contact.id, conversation.id, resync]);

  return (
    <section className="panel-section" aria-labelledby="panel-others">
      <h3 id="panel-others" className="panel-section__title">
        {t('inbox.otherConversations')}
      </h3>
      {others === null ? <div className="skeleton skeleton--line" /> : null}
      {others?.length === 0 ? <p className="muted">{t('inbox.noOtherConversations')}</p> : null}
      <ul className="mini-list">
        {others?.map((c) => (
          <ConversationLink key={c.id} conversation={c} language={i18n.resolvedLanguage} />
        ))}
      </ul>
    </section>
  );
}

export function ConversationLink({ conversation: c, language }: { conversation: Conversation; language: string | undefined }) {
  const { t } = useTranslation('inbox');
  return (
    <li>
      <Link to={`/inbox/${encodeURIComponent(c.id)}`} className="mini-list__item" data-testid="other-conversation">
        <ChannelIcon channel={c.channel} size={14} title={t(`channel.${c.channel}`)} />
        <span className="mini-list__main">
          <span className="mini-list__preview">{previewText(c.lastMessagePreview, t) || t('inbox.noMessages')}</span>
          <span className="mini-list__sub">
            {t(`conversationStatus.${c.status}`)} · {formatListTime(c.lastMessageAt ?? c.createdAt, language)}
          </span>
        </span>
      </Link>
    </li>
  );
}
