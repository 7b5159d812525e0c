// The reply box: text with emoji, attachments with upload progress, Enter to send, Shift+Enter for
// a new line, internal notes, and the banner when the customer-service window has closed. Every
// reply goes through the outbox, so one written while offline is sent when the connection returns.
import { useCallback, useEffect, useId, useRef, useState, type ClipboardEvent, type DragEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api';
import { Icon } from '../components/Icon';
import { useToast } from '../components/Toasts';
import { errorMessage } from '../errors';
import { formatBytes, useNow, windowInfo } from '../format';
import { useRealtime } from '../realtime';
import { useOutboxEntries, useWorkspace } from '../workspace';
import { inboxApi, uploadMedia, type Conversation, type Message, type Note, type UploadedMedia } from './api';
import { EmojiPicker } from './EmojiPicker';
import { QuickReplyList, useQuickReplyPicker } from '../team/QuickReplyPicker';
import { ScheduleDialog, ScheduledMessages } from '../team/Scheduled';
import { AiAssist } from '../ai-agents/AiAssist';
import type { QuickReply } from '../team/api';
import { messageSummary } from './MessageBubble';

interface Upload {
  key: string;
  file: File;
  progress: number;
  media?: UploadedMedia;
  error?: string;
  previewUrl?: string;
  abort: AbortController;
}

type MediaKind = 'image' | 'video' | 'audio' | 'document';

function kindOf(mimeType: string): MediaKind {
  if (/^image\/(jpeg|png|webp)$/.test(mimeType)) return 'image';
  if (mimeType.startsWith('video/')) return 'video';
  if (mimeType.startsWith('audio/')) return 'audio';
  return 'document';
}

const draftKey = (conversationId: string) => `omnistream.draft.${conversationId}`;

function readDraft(conversationId: string): string {
  try {
    return window.localStorage.getItem(draftKey(conversationId)) ?? '';
  } catch {
    return '';
  }
}

function writeDraft(conversationId: string, text: string): void {
  try {
    if (text) window.localStorage.setItem(draftKey(conversationId), text);
    else window.localStorage.removeItem(draftKey(conversationId));
  } catch {
    // ignore
  }
}

interface ComposerProps {
  conversation: Conversation;
  replyTo: Message | null;
  onCancelReply(): void;
  onNote(note: Note): void;
  onSent(): void;
}

export function Composer({ conversation, replyTo, onCancelReply, onNote, onSent }: ComposerProps) {
  const { t, i18n } = useTranslation();
  const toast = useToast();
  const { outbox, can } = useWorkspace();
  const { state: connection, emit } = useRealtime();
  const now = useNow(15_000);
  const [mode, setMode] = useState<'reply' | 'note'>('reply');
  const [text, setText] = useState(() => readDraft(conversation.id));
  const [note, setNote] = useState('');
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [emojiOpen, setEmojiOpen] = useState(false);
  const [savingNote, setSavingNote] = useState(false);
  const [scheduling, setScheduling] = useState(false);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const lastTyping = useRef(0);
  const bannerId = useId();

  const canSend = can('messages.send');
  const win = windowInfo(conversation.windowExpiresAt, t, now);
  // The server has the last word: a reply it refused because the window closed shows the banner too.
  const refusedForWindow = useOutboxEntries().some(
    (e) =>
      e.conversationId === conversation.id && e.windowClosed && (!conversation.lastInboundAt || e.createdAt > conversation.lastInboundAt),
  );
  // Email has no customer-service window (the server sends windowExpiresAt: null for it).
  const windowClosed = conversation.channel !== 'email' && (!win.open || refusedForWindow);
  const replyBlocked = mode === 'reply' && (windowClosed || !canSend);

  useEffect(() => writeDraft(conversation.id, text), [conversation.id, text]);

  // "/" opens the quick-reply picker; the chosen reply replaces the "/query" it was picked with.
  const picker = useQuickReplyPicker({
    conversationId: conversation.id,
    enabled: mode === 'reply' && !replyBlocked,
    onInsert: (reply, filled, start, end) => insertQuickReply(reply, filled, start, end),
  });

  function insertQuickReply(reply: QuickReply, filled: string, start: number, end: number) {
    const current = inputRef.current?.value ?? text;
    const next = current.slice(0, start) + filled + current.slice(end);
    onChange(next);
    picker.update(next, start + filled.length);
    if (reply.media) {
      const media = reply.media;
      const file = new File([], media.filename ?? 'attachment', { type: media.mimeType });
      const uploaded: UploadedMedia = {
        id: media.id,
        mimeType: media.mimeType,
        size: media.size,
        filename: media.filename,
        width: null,
        height: null,
        url: media.url,
        thumbnailUrl: null,
      };
      setUploads((list) => [
        ...list,
        { key: `qr-${reply.id}-${Date.now()}`, file, progress: 1, media: uploaded, abort: new AbortController() },
      ]);
    }
    requestAnimationFrame(() => {
      const el = inputRef.current;
      el?.focus();
      el?.setSelectionRange(start + filled.length, start + filled.length);
    });
  }

  const uploadsRef = useRef(uploads);
  uploadsRef.current = uploads;
  // Free preview URLs when attachments go away.
  useEffect(
    () => () => {
      for (const u of uploadsRef.current) if (u.previewUrl) URL.revokeObjectURL(u.previewUrl);
    },
    [],
  );

  useEffect(() => {
    if (replyTo) inputRef.current?.focus();
  }, [replyTo]);

  // Grow the text box with its content, up to a limit.
  useEffect(() => {
    const el = inputRef.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 180)}px`;
  }, [text, note, mode]);

  const stopTyping = useCallback(() => {
    if (lastTyping.current) {
      emit('typing', { conversationId: conversation.id, typing: false });
      lastTyping.current = 0;
    }
  }, [emit, conversation.id]);
  useEffect(() => stopTyping, [stopTyping]);

  function onChange(value: string) {
    if (mode === 'note') {
      setNote(value);
      return;
    }
    setText(value);
    const at = Date.now();
    if (value && at - lastTyping.current > 2500) {
      lastTyping.current = at;
      emit('typing', { conversationId: conversation.id, typing: true });
    }
    if (!value) stopTyping();
  }

  function startUpload(file: File) {
    const key = `${file.name}-${file.size}-${Math.random().toString(36).slice(2)}`;
    const abort = new AbortController();
    const previewUrl = file.type.startsWith('image/') ? URL.createObjectURL(file) : undefined;
    setUploads((list) => [...list, { key, file, progress: 0, previewUrl, abort }]);
    const update = (patch: Partial<Upload>) => setUploads((list) => list.map((u) => (u.key === key ? { ...u, ...patch } : u)));
    uploadMedia(file, (progress) => update({ progress }), abort.signal)
      .then((media) => update({ media, progress: 1 }))
      .catch((error: unknown) => {
        if (abort.signal.aborted) return;
        const reason =
          error instanceof ApiError && error.isNetworkError
            ? t('composer.uploadOffline')
            : error instanceof ApiError && (error.status === 413 || error.status === 415)
              ? error.detail || t('composer.uploadRefused')
              : errorMessage(t, error);
        update({ error: reason });
      });
  }

  function addFiles(files: FileList | File[]) {
    for (const file of Array.from(files)) startUpload(file);
  }

  function removeUpload(key: string) {
    setUploads((list) => {
      const gone = list.find((u) => u.key === key);
      if (gone) {
        gone.abort.abort();
        if (gone.previewUrl) URL.revokeObjectURL(gone.previewUrl);
      }
      return list.filter((u) => u.key !== key);
    });
  }

  function retryUpload(upload: Upload) {
    removeUpload(upload.key);
    startUpload(upload.file);
  }

  const uploading = uploads.some((u) => !u.media && !u.error);
  const ready = uploads.filter((u) => u.media);

  function send() {
    if (mode === 'note') {
      void saveNote();
      return;
    }
    if (replyBlocked || uploading) return;
    const body = text.trim();
    if (!body && ready.length === 0) return;
    const replyToId = replyTo?.id;
    let captionUsed = false;
    for (const upload of ready) {
      const media = upload.media!;
      const type = kindOf(media.mimeType);
      const caption = !captionUsed && body && type !== 'audio' ? body : undefined;
      if (caption) captionUsed = true;
      outbox.enqueue(conversation.id, { type, mediaId: media.id, caption, replyToId });
    }
    if (body && !captionUsed) outbox.enqueue(conversation.id, { type: 'text', text: body, replyToId });
    for (const u of ready) if (u.previewUrl) URL.revokeObjectURL(u.previewUrl);
    setUploads((list) => list.filter((u) => !u.media));
    setText('');
    writeDraft(conversation.id, '');
    stopTyping();
    onCancelReply();
    onSent();
    inputRef.current?.focus();
  }

  async function saveNote() {
    const body = note.trim();
    if (!body || savingNote) return;
    setSavingNote(true);
    try {
      onNote(await inboxApi.addNote(conversation.id, body));
      setNote('');
      onSent();
    } catch (error) {
      toast(errorMessage(t, error), 'error');
    } finally {
      setSavingNote(false);
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (mode === 'reply' && picker.onKeyDown(event)) {
      event.preventDefault();
      return;
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    } else if (event.key === 'Escape') {
      if (replyTo) onCancelReply();
      else inputRef.current?.blur();
    }
  }

  function insertEmoji(emoji: string) {
    const el = inputRef.current;
    const value = mode === 'note' ? note : text;
    const start = el?.selectionStart ?? value.length;
    const end = el?.selectionEnd ?? value.length;
    const next = value.slice(0, start) + emoji + value.slice(end);
    onChange(next);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + emoji.length, start + emoji.length);
    });
  }

  function onPaste(event: ClipboardEvent<HTMLTextAreaElement>) {
    if (mode !== 'reply' || replyBlocked) return;
    const files = Array.from(event.clipboardData.files);
    if (files.length) {
      event.preventDefault();
      addFiles(files);
    }
  }

  function onDrop(event: DragEvent<HTMLDivElement>) {
    if (mode !== 'reply' || replyBlocked || !event.dataTransfer.files.length) return;
    event.preventDefault();
    addFiles(event.dataTransfer.files);
  }

  const value = mode === 'note' ? note : text;
  const sendDisabled = mode === 'note' ? !note.trim() || savingNote : replyBlocked || uploading || (!text.trim() && ready.length === 0);

  return (
    <div
      className={mode === 'note' ? 'composer composer--note' : 'composer'}
      onDragOver={(e) => e.preventDefault()}
      onDrop={onDrop}
      data-testid="composer"
    >
      {mode === 'reply' ? <ScheduledMessages conversationId={conversation.id} /> : null}
      {mode === 'reply' && windowClosed ? (
        <div className="composer__banner" role="status" id={bannerId} data-testid="window-closed-banner">
          <Icon name="clock" size={16} />
          <span>
            <strong>{t('composer.windowClosedTitle')}</strong> {t('composer.windowClosedBody')}
          </span>
        </div>
      ) : null}
      {mode === 'reply' && connection === 'offline' ? (
        <div className="composer__hint" role="status" data-testid="composer-offline">
          <Icon name="wifiOff" size={14} />
          {t('composer.offlineHint')}
        </div>
      ) : null}
      {replyTo && mode === 'reply' ? (
        <div className="composer__quote" data-testid="composer-quote">
          <Icon name="reply" size={14} />
          <span className="composer__quote-text">
            <span className="composer__quote-who">{replyTo.direction === 'inbound' ? t('inbox.customer') : t('inbox.team')}</span>
            {messageSummary(replyTo, t)}
          </span>
          <button type="button" className="icon-button icon-button--sm" onClick={onCancelReply} aria-label={t('composer.cancelReply')}>
            <Icon name="x" size={14} />
          </button>
        </div>
      ) : null}
      {uploads.length && mode === 'reply' ? (
        <ul className="composer__uploads" aria-label={t('composer.attachments')}>
          {uploads.map((u) => (
            <li key={u.key} className={u.error ? 'upload upload--error' : 'upload'} data-testid="upload">
              {u.previewUrl ? <img src={u.previewUrl} alt="" className="upload__preview" /> : <Icon name="file" size={20} />}
              <span className="upload__info">
                <span className="upload__name">{u.file.name}</span>
                <span className="upload__sub">
                  {u.error
                    ? u.error
                    : u.media
                      ? formatBytes(u.file.size, i18n.resolvedLanguage)
                      : t('composer.uploading', { percent: Math.round(u.progress * 100) })}
                </span>
                {!u.media && !u.error ? (
                  <progress
                    className="upload__progress"
                    max={1}
                    value={u.progress}
                    aria-label={t('composer.uploadProgress')}
                    data-testid="upload-progress"
                  />
                ) : null}
              </span>
              {u.error ? (
                <button type="button" className="icon-button icon-button--sm" onClick={() => retryUpload(u)} aria-label={t('common.retry')}>
                  <Icon name="retry" size={14} />
                </button>
              ) : null}
              <button
                type="button"
                className="icon-button icon-button--sm"
                onClick={() => removeUpload(u.key)}
                aria-label={t('composer.removeAttachment')}
              >
                <Icon name="x" size={14} />
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <div className="composer__box">
        {mode === 'reply' ? <QuickReplyList picker={picker} canManage={can('messages.send')} /> : null}
        <div className="composer__tabs" role="tablist" aria-label={t('composer.mode')}>
          <button
            type="button"
            role="tab"
            aria-selected={mode === 'reply'}
            className="composer__tab"
            onClick={() => setMode('reply')}
            data-testid="composer-mode-reply"
          >
            {t('composer.reply')}
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={mode === 'note'}
            className="composer__tab composer__tab--note"
            onClick={() => setMode('note')}
            data-testid="composer-mode-note"
          >
            <Icon name="lock" size={12} />
            {t('composer.note')}
          </button>
        </div>
        <label htmlFor="composer-input" className="visually-hidden">
          {mode === 'note' ? t('composer.notePlaceholder') : t('composer.placeholder')}
        </label>
        <textarea
          id="composer-input"
          ref={inputRef}
          className="composer__input"
          rows={1}
          value={value}
          disabled={replyBlocked}
          aria-describedby={windowClosed && mode === 'reply' ? bannerId : undefined}
          placeholder={
            mode === 'note'
              ? t('composer.notePlaceholder')
              : !canSend
                ? t('composer.noPermission')
                : windowClosed
                  ? t('composer.windowClosedPlaceholder')
                  : t('composer.placeholder')
          }
          onChange={(e) => {
            onChange(e.target.value);
            if (mode === 'reply') picker.update(e.target.value, e.target.selectionStart ?? e.target.value.length);
          }}
          onSelect={(e) => {
            if (mode === 'reply') picker.update(e.currentTarget.value, e.currentTarget.selectionStart ?? e.currentTarget.value.length);
          }}
          onKeyDown={onKeyDown}
          role={mode === 'reply' ? 'combobox' : undefined}
          aria-autocomplete={mode === 'reply' ? 'list' : undefined}
          aria-expanded={mode === 'reply' ? picker.open : undefined}
          aria-controls={picker.open && picker.items.length ? picker.listId : undefined}
          aria-activedescendant={picker.open && picker.items.length ? picker.optionId(picker.active) : undefined}
          onPaste={onPaste}
          onBlur={stopTyping}
          data-testid="composer-input"
        />
        <div className="composer__toolbar">
          <div className="composer__tools">
            <span className="composer__emoji-anchor">
              <button
                type="button"
                className="icon-button"
                onClick={() => setEmojiOpen((v) => !v)}
                aria-label={t('composer.emoji')}
                title={t('composer.emoji')}
                aria-expanded={emojiOpen}
                disabled={replyBlocked}
                data-testid="emoji-button"
              >
                <Icon name="smile" />
              </button>
              {emojiOpen ? (
                <EmojiPicker
                  onPick={(emoji) => {
                    insertEmoji(emoji);
                    setEmojiOpen(false);
                  }}
                  onClose={() => setEmojiOpen(false)}
                />
              ) : null}
            </span>
            {mode === 'reply' ? (
              <>
                <button
                  type="button"
                  className="icon-button"
                  onClick={() => fileRef.current?.click()}
                  aria-label={t('composer.attach')}
                  title={t('composer.attach')}
                  disabled={replyBlocked}
                  data-testid="attach-button"
                >
                  <Icon name="paperclip" />
                </button>
                <input
                  ref={fileRef}
                  type="file"
                  multiple
                  hidden
                  data-testid="attach-input"
                  accept="image/jpeg,image/png,image/webp,video/mp4,video/3gpp,audio/*,application/pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp,.txt,.csv,.zip"
                  onChange={(e) => {
                    if (e.target.files) addFiles(e.target.files);
                    e.target.value = '';
                  }}
                />
              </>
            ) : null}
            {mode === 'reply' ? (
              <button
                type="button"
                className="icon-button"
                onClick={() => setScheduling(true)}
                aria-label={t('schedule.action')}
                title={t('schedule.action')}
                disabled={replyBlocked || uploads.length > 0}
                data-testid="schedule-button"
              >
                <Icon name="calendar" />
              </button>
            ) : null}
            {mode === 'reply' ? <AiAssist conversationId={conversation.id} disabled={replyBlocked} onSuggestion={onChange} /> : null}
            <span className="composer__hint-keys">{mode === 'reply' ? t('composer.keysHintQuick') : t('composer.keysHint')}</span>
          </div>
          <button
            type="button"
            className={mode === 'note' ? 'button button--note button--sm' : 'button button--primary button--sm'}
            onClick={send}
            disabled={sendDisabled}
            data-testid="send-button"
          >
            <Icon name={mode === 'note' ? 'note' : 'send'} size={16} />
            <span>{mode === 'note' ? t('composer.addNote') : t('composer.send')}</span>
          </button>
        </div>
      </div>
      {scheduling ? (
        <ScheduleDialog
          conversationId={conversation.id}
          initialText={text}
          onClose={() => {
            setScheduling(false);
            requestAnimationFrame(() => inputRef.current?.focus());
          }}
          onScheduled={() => {
            setText('');
            writeDraft(conversation.id, '');
            stopTyping();
          }}
        />
      ) : null}
    </div>
  );
}
