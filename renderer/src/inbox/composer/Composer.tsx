// The reply box: text with emoji, attachments with upload progress, Enter to send, Shift+Enter for
// a new line, internal notes, and the banner when the customer-service window has closed. Every
// reply goes through the outbox, so one written while offline is sent when the connection returns.
import { useEffect, useId, useRef, useState, type ClipboardEvent, type DragEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useToast } from '../../components/Toasts';
import { errorMessage } from '../../errors';
import { useRealtime } from '../../realtime';
import { QuickReplyList, useQuickReplyPicker } from '../../teamwork/QuickReplyPicker';
import { ScheduleDialog, ScheduledMessages } from '../../teamwork/Scheduled';
import type { QuickReply } from '../../teamwork/api';
import { useWorkspace } from '../../workspace';
import { inboxApi, type Conversation, type Message, type Note } from '../api';
import { AttachmentList } from './AttachmentList';
import { OfflineHint, ReplyQuote, WindowClosedBanner } from './ComposerNotices';
import { AiAssist } from '../../ai-agents/AiAssist';
import { ComposerToolbar } from './ComposerToolbar';
import { ModeTabs, type ComposerMode } from './ModeTabs';
import { kindOf, useAttachments } from './useAttachments';
import { useDraft } from './useDraft';
import { useWindowClosed } from './useWindowClosed';
import { useTypingSignal } from './useTypingSignal';
import { TemplateSender } from './TemplateSender';
import './Composer.css';

interface ComposerProps {
  conversation: Conversation;
  replyTo: Message | null;
  onCancelReply(): void;
  onNote(note: Note): void;
  onSent(): void;
}

export function Composer({ conversation, replyTo, onCancelReply, onNote, onSent }: ComposerProps) {
  const { t } = useTranslation('inbox');
  const toast = useToast();
  const { outbox, can } = useWorkspace();
  const { state: connection } = useRealtime();
  const [mode, setMode] = useState<ComposerMode>('reply');
  const [text, setText, clearDraft] = useDraft(conversation.id);
  const [note, setNote] = useState('');
  const [savingNote, setSavingNote] = useState(false);
  const [scheduling, setScheduling] = useState(false);
  const [templatesOpen, setTemplatesOpen] = useState(false);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const bannerId = useId();
  const attachments = useAttachments();
  const typing = useTypingSignal(conversation.id);

  const canSend = can('messages.send');
  const windowClosed = useWindowClosed(conversation);
  const replyBlocked = mode === 'reply' && (windowClosed || !canSend);
  // Outside the window WhatsApp takes only approved templates.
  const offerTemplates = mode === 'reply' && windowClosed && canSend && conversation.channel === 'whatsapp';

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
    if (reply.media) attachments.addStored(`qr-${reply.id}-${Date.now()}`, reply.media);
    requestAnimationFrame(() => {
      const el = inputRef.current;
      el?.focus();
      el?.setSelectionRange(start + filled.length, start + filled.length);
    });
  }

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

  function onChange(value: string) {
    if (mode === 'note') {
      setNote(value);
      return;
    }
    setText(value);
    typing.changed(value);
  }

  function send() {
    if (mode === 'note') {
      void saveNote();
      return;
    }
    if (replyBlocked || attachments.uploading) return;
    const body = text.trim();
    if (!body && attachments.ready.length === 0) return;
    const replyToId = replyTo?.id;
    // The text goes as the first file's caption (audio has none), or on its own.
    let captionUsed = false;
    for (const upload of attachments.ready) {
      const media = upload.media!;
      const type = kindOf(media.mimeType);
      const caption = !captionUsed && body && type !== 'audio' ? body : undefined;
      if (caption) captionUsed = true;
      outbox.enqueue(conversation.id, { type, mediaId: media.id, caption, replyToId });
    }
    if (body && !captionUsed) outbox.enqueue(conversation.id, { type: 'text', text: body, replyToId });
    attachments.clearReady();
    clearDraft();
    typing.stop();
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
      attachments.add(files);
    }
  }

  function onDrop(event: DragEvent<HTMLDivElement>) {
    if (mode !== 'reply' || replyBlocked || !event.dataTransfer.files.length) return;
    event.preventDefault();
    attachments.add(event.dataTransfer.files);
  }

  const value = mode === 'note' ? note : text;
  const sendDisabled =
    mode === 'note'
      ? !note.trim() || savingNote
      : replyBlocked || attachments.uploading || (!text.trim() && attachments.ready.length === 0);

  return (
    <div
      className={mode === 'note' ? 'composer composer--note' : 'composer'}
      onDragOver={(e) => e.preventDefault()}
      onDrop={onDrop}
      data-testid="composer"
    >
      {mode === 'reply' ? <ScheduledMessages conversationId={conversation.id} /> : null}
      {mode === 'reply' && windowClosed ? <WindowClosedBanner id={bannerId} /> : null}
      {offerTemplates && templatesOpen ? (
        <div className="composer__templates">
          <TemplateSender
            conversationId={conversation.id}
            onSent={() => {
              setTemplatesOpen(false);
              onSent();
            }}
            onCancel={() => setTemplatesOpen(false)}
          />
        </div>
      ) : offerTemplates ? (
        <button
          type="button"
          className="button button--secondary button--sm"
          onClick={() => setTemplatesOpen(true)}
          data-testid="composer-templates"
        >
          {t('templates.open')}
        </button>
      ) : null}
      {mode === 'reply' && connection === 'offline' ? <OfflineHint /> : null}
      {replyTo && mode === 'reply' ? <ReplyQuote message={replyTo} onCancel={onCancelReply} /> : null}
      {attachments.uploads.length && mode === 'reply' ? (
        <AttachmentList uploads={attachments.uploads} onRetry={attachments.retry} onRemove={attachments.remove} />
      ) : null}
      <div className="composer__box">
        {mode === 'reply' ? <QuickReplyList picker={picker} canManage={can('messages.send')} /> : null}
        <ModeTabs mode={mode} onChange={setMode} />
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
          onBlur={typing.stop}
          data-testid="composer-input"
        />
        <ComposerToolbar
          mode={mode}
          blocked={replyBlocked}
          hasAttachments={attachments.uploads.length > 0}
          sendDisabled={sendDisabled}
          extraTools={<AiAssist conversationId={conversation.id} disabled={replyBlocked} onSuggestion={onChange} />}
          onEmoji={insertEmoji}
          onFiles={attachments.add}
          onSchedule={() => setScheduling(true)}
          onSend={send}
        />
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
            clearDraft();
            typing.stop();
          }}
        />
      ) : null}
    </div>
  );
}
