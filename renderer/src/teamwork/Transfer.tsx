// Handing a conversation over: to an agent, a division, or an agent of a division, always with a
// reason; and the conversation's transfer history (kept by the server, pushed live).
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api';
import { Dialog } from '../components/Dialog';
import { FormError } from '../components/FormError';
import { Icon } from '../components/Icon';
import { SubmitButton } from '../components/SubmitButton';
import { useToast } from '../components/Toasts';
import { errorMessage } from '../errors';
import { contactName, formatDateTime } from '../format';
import type { Conversation } from '../inbox/api';
import { useRealtime, useRealtimeEvent } from '../realtime';
import { useWorkspace } from '../workspace';
import { teamApi, type DivisionMember, type Transfer } from './api';
import { useTeam } from './TeamContext';
import './Transfer.css';

/** Whether the signed-in agent may transfer this conversation (the server checks too). */
export function useCanTransfer(conversation: Conversation): boolean {
  const { can, me } = useWorkspace();
  if (!can('messages.send')) return false;
  return can('conversations.manage') || !conversation.assignee || conversation.assignee.id === me.id;
}

export function TransferDialog({
  conversation,
  onClose,
  onDone,
}: {
  conversation: Conversation;
  onClose(): void;
  onDone(conversation: Conversation): void;
}) {
  const { t } = useTranslation(['teamwork', 'inbox']);
  const toast = useToast();
  const { agents, me } = useWorkspace();
  const { divisions } = useTeam();
  const [divisionId, setDivisionId] = useState('');
  const [agentId, setAgentId] = useState('');
  const [reason, setReason] = useState('');
  const [members, setMembers] = useState<DivisionMember[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const reasonId = useId();

  // With a division chosen, only its members can be named.
  useEffect(() => {
    setMembers(null);
    if (!divisionId) return;
    let cancelled = false;
    teamApi
      .divisionAgents(divisionId)
      .then((page) => {
        if (cancelled) return;
        setMembers(page.data);
        setAgentId((cur) => (cur && !page.data.some((m) => m.id === cur) ? '' : cur));
      })
      .catch(() => !cancelled && setMembers([]));
    return () => {
      cancelled = true;
    };
  }, [divisionId]);

  const people: { id: string; name: string; online: boolean }[] = divisionId
    ? (members ?? []).filter((m) => m.status === 'active')
    : agents.filter((a) => a.status === 'active');
  const target = divisions.find((d) => d.id === divisionId);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const errors: Record<string, string> = {};
    if (!divisionId && !agentId) errors.target = t('transfer.chooseTarget');
    if (!reason.trim()) errors.reason = t('validation.required');
    setFieldErrors(errors);
    if (Object.keys(errors).length) {
      setError(undefined);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const result = await teamApi.transfer(conversation.id, {
        toDivisionId: divisionId || null,
        toAgentId: agentId || null,
        reason: reason.trim(),
      });
      onDone(result.conversation);
      const to = [result.transfer.to.agent?.name, result.transfer.to.division?.name].filter(Boolean).join(' · ');
      toast(t('transfer.done', { to: to || t('transfer.unassigned') }), 'success');
      onClose();
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) setFieldErrors({ target: t('transfer.alreadyThere') });
      else if (err instanceof ApiError && err.status === 422)
        setFieldErrors({ target: err.fieldErrors.toDivisionId ? t('transfer.divisionGone') : t('transfer.agentUnavailable') });
      else if (err instanceof ApiError && err.status === 400 && err.fieldErrors.reason)
        setFieldErrors({ reason: t('validation.required') });
      else if (err instanceof ApiError && err.status === 403) setError(t('transfer.notAllowed'));
      else setError(errorMessage(t, err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      title={t('transfer.title', { name: contactName(conversation.contact, t) })}
      onClose={onClose}
      testId="transfer-dialog"
      className="dialog--form"
    >
      <form className="stack-form" onSubmit={submit} noValidate>
        <FormError message={error} />
        {divisions.length ? (
          <div className="field">
            <label className="field__label" htmlFor="transfer-division">
              {t('transfer.division')}
            </label>
            <select
              id="transfer-division"
              className="field__input"
              value={divisionId}
              onChange={(e) => setDivisionId(e.target.value)}
              data-testid="transfer-division"
            >
              <option value="">{t('transfer.noDivision')}</option>
              {divisions.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                  {d.id === conversation.divisionId ? ` (${t('transfer.current')})` : ''}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <div className={fieldErrors.target ? 'field field--invalid' : 'field'}>
          <label className="field__label" htmlFor="transfer-agent">
            {t('transfer.agent')}
          </label>
          <select
            id="transfer-agent"
            className="field__input"
            value={agentId}
            onChange={(e) => setAgentId(e.target.value)}
            data-testid="transfer-agent"
            aria-invalid={fieldErrors.target ? true : undefined}
          >
            <option value="">
              {divisionId ? (target?.autoAssign ? t('transfer.anyoneAuto') : t('transfer.anyoneQueue')) : t('transfer.chooseAgent')}
            </option>
            {people.map((p) => (
              <option
                key={p.id}
                value={p.id}
                disabled={p.id === conversation.assignee?.id && (!divisionId || divisionId === conversation.divisionId)}
              >
                {p.id === me.id ? t('inbox:inbox.meName', { name: p.name }) : p.name}
                {p.online ? ` · ${t('presence.online')}` : ` · ${t('presence.offline')}`}
              </option>
            ))}
          </select>
          {fieldErrors.target ? <p className="field__error">{fieldErrors.target}</p> : <p className="field__hint">{t('transfer.hint')}</p>}
        </div>
        <div className={fieldErrors.reason ? 'field field--invalid' : 'field'}>
          <label className="field__label" htmlFor={reasonId}>
            {t('transfer.reason')}
          </label>
          <textarea
            id={reasonId}
            className="field__input"
            rows={3}
            maxLength={1000}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            placeholder={t('transfer.reasonPlaceholder')}
            required
            aria-invalid={fieldErrors.reason ? true : undefined}
            data-testid="transfer-reason"
          />
          {fieldErrors.reason ? <p className="field__error">{fieldErrors.reason}</p> : null}
        </div>
        <div className="form-actions">
          <button type="button" className="button button--secondary" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <SubmitButton busy={busy} busyLabel={t('transfer.submitting')} data-testid="transfer-submit">
            {t('transfer.submit')}
          </SubmitButton>
        </div>
      </form>
    </Dialog>
  );
}

/** The button in the thread header (and the details panel) that opens the dialog. */
export function TransferButton({
  conversation,
  onConversation,
  variant = 'header',
}: {
  conversation: Conversation;
  onConversation(c: Conversation): void;
  variant?: 'header' | 'panel';
}) {
  const { t } = useTranslation('teamwork');
  const [open, setOpen] = useState(false);
  if (!useCanTransfer(conversation)) return null;
  return (
    <>
      <button
        type="button"
        className="button button--secondary button--sm"
        onClick={() => setOpen(true)}
        title={t('transfer.action')}
        data-testid={variant === 'header' ? 'transfer-button' : 'panel-transfer-button'}
      >
        <Icon name="transfer" size={16} />
        <span className={variant === 'header' ? 'hide-narrow' : undefined}>{t('transfer.action')}</span>
      </button>
      {open ? <TransferDialog conversation={conversation} onClose={() => setOpen(false)} onDone={onConversation} /> : null}
    </>
  );
}

export function TransferHistory({ conversationId }: { conversationId: string }) {
  const { t, i18n } = useTranslation(['teamwork', 'inbox']);
  const { resync } = useRealtime();
  const [items, setItems] = useState<Transfer[] | null>(null);

  useEffect(() => {
    let cancelled = false;
    teamApi
      .transfers(conversationId)
      .then((page) => !cancelled && setItems(page.data))
      .catch(() => !cancelled && setItems([]));
    return () => {
      cancelled = true;
    };
  }, [conversationId, resync]);

  useRealtimeEvent('conversation.transferred', (p: { transfer?: Transfer }) => {
    const transfer = p?.transfer;
    if (!transfer || transfer.conversationId !== conversationId) return;
    setItems((list) => (list?.some((x) => x.id === transfer.id) ? list : [...(list ?? []), transfer]));
  });

  const place = (side: { agent: { name: string | null } | null; division: { name: string | null } | null }) =>
    [side.agent?.name, side.division?.name].filter(Boolean).join(' · ') || t('transfer.nobody');
  const sorted = [...(items ?? [])].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));

  return (
    <section className="panel-section" aria-labelledby="panel-transfers">
      <h3 id="panel-transfers" className="panel-section__title">
        <Icon name="transfer" size={12} />
        {t('transfer.history')}
      </h3>
      {items === null ? <div className="skeleton skeleton--line" /> : null}
      {items?.length === 0 ? <p className="muted">{t('transfer.noHistory')}</p> : null}
      <ol className="history">
        {sorted.map((x) => (
          <li key={x.id} className="history__item" data-testid="transfer-history-item">
            <p className="history__route">
              <span>{place(x.from)}</span>
              <Icon name="back" size={12} className="history__arrow" />
              <strong>{place(x.to)}</strong>
            </p>
            <p className="history__reason">“{x.reason}”</p>
            <p className="history__meta">
              {x.by?.name ?? t('inbox:activity.someone')} · {formatDateTime(x.createdAt, i18n.resolvedLanguage)}
              {x.autoAssigned ? ` · ${t('transfer.autoAssigned')}` : ''}
            </p>
          </li>
        ))}
      </ol>
    </section>
  );
}
