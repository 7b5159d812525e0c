// The thread's header: back (on phones), the contact, division, SLA and CSAT badges, channel,
// status, the customer-service window and the assignee; then assign to me, transfer, resolve or
// reopen, and the details-panel toggle.
import type { CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import { ChannelIcon, Icon } from '../../components/Icon';
import { avatarHue, contactName, initials, windowInfo } from '../../format';
import { CsatChip } from '../../teamwork/Csat';
import { SlaBadge } from '../../teamwork/SlaBadge';
import { useTeam } from '../../teamwork/TeamContext';
import { TransferButton } from '../../teamwork/Transfer';
import { useWorkspace } from '../../workspace';
import type { Conversation, ConversationStatus } from '../api';
import './Thread.css';

export interface ThreadHeaderProps {
  conversation: Conversation;
  now: number;
  panelOpen: boolean;
  onTogglePanel(): void;
  onBack(): void;
  onAssignToMe(): void;
  onStatus(status: ConversationStatus): void;
  onConversation(conversation: Conversation): void;
}

export function ThreadHeader({
  conversation,
  now,
  panelOpen,
  onTogglePanel,
  onBack,
  onAssignToMe,
  onStatus,
  onConversation,
}: ThreadHeaderProps) {
  const { t } = useTranslation('inbox');
  const { me, can } = useWorkspace();
  const { divisionName } = useTeam();
  const name = contactName(conversation.contact, t);
  const win = windowInfo(conversation.windowExpiresAt, t, now);
  const canManage = can('conversations.manage');
  const canSend = can('messages.send');
  const resolved = conversation.status === 'resolved' || conversation.status === 'expired';
  const division = divisionName(conversation.divisionId);

  return (
    <header className="thread__header">
      <button
        type="button"
        className="icon-button thread__back"
        onClick={onBack}
        aria-label={t('inbox.backToList')}
        data-testid="thread-back"
      >
        <Icon name="back" />
      </button>
      <span className="avatar avatar--sm" style={{ '--hue': avatarHue(conversation.contact.id) } as CSSProperties} aria-hidden="true">
        {initials(conversation.contact.name ?? conversation.contact.phone)}
      </span>
      <div className="thread__who">
        <div className="thread__title-row">
          <h2 className="thread__name" data-testid="thread-contact-name">
            {name}
          </h2>
          <span className="thread__badges">
            {division ? (
              <span className="chip chip--division" data-testid="thread-division" title={t('inbox.divisionLabel')}>
                {division}
              </span>
            ) : null}
            <SlaBadge sla={conversation.sla} now={now} />
            {resolved ? <CsatChip conversation={conversation} /> : null}
          </span>
        </div>
        <p className="thread__sub">
          <ChannelIcon channel={conversation.channel} size={12} title={t(`channel.${conversation.channel}`)} />
          <span>{conversation.contact.phone ?? conversation.contact.email ?? t(`channel.${conversation.channel}`)}</span>
          <span aria-hidden="true">·</span>
          <span className={`status-dot status-dot--${conversation.status}`}>{t(`conversationStatus.${conversation.status}`)}</span>
          {conversation.channel !== 'email' && !resolved ? (
            <>
              <span aria-hidden="true">·</span>
              <span
                className={win.open ? (win.urgent ? 'text-warn' : '') : 'text-danger'}
                data-testid="thread-window"
                title={t('inbox.windowTitle')}
              >
                {win.label}
              </span>
            </>
          ) : null}
          {conversation.assignee ? (
            <>
              <span aria-hidden="true">·</span>
              <span>
                {t('inbox.assignedTo', { name: conversation.assignee.id === me.id ? t('inbox.you') : conversation.assignee.name })}
              </span>
            </>
          ) : null}
        </p>
      </div>
      <div className="thread__actions">
        {conversation.assignee?.id !== me.id && (canManage || canSend) ? (
          <button
            type="button"
            className="button button--secondary button--sm"
            onClick={onAssignToMe}
            data-testid="assign-to-me"
            title={`${t('inbox.assignToMe')} (a)`}
          >
            <Icon name="userPlus" size={16} />
            <span className="hide-narrow">{t('inbox.assignToMe')}</span>
          </button>
        ) : null}
        {!resolved ? <TransferButton conversation={conversation} onConversation={onConversation} /> : null}
        {canManage ? (
          resolved ? (
            <button type="button" className="button button--secondary button--sm" onClick={() => onStatus('open')} data-testid="reopen">
              <Icon name="retry" size={16} />
              <span className="hide-narrow">{t('inbox.reopen')}</span>
            </button>
          ) : (
            <button
              type="button"
              className="button button--secondary button--sm"
              onClick={() => onStatus('resolved')}
              data-testid="resolve"
              title={`${t('inbox.resolve')} (e)`}
            >
              <Icon name="resolve" size={16} />
              <span className="hide-narrow">{t('inbox.resolve')}</span>
            </button>
          )
        ) : null}
        <button
          type="button"
          className={panelOpen ? 'icon-button icon-button--active' : 'icon-button'}
          onClick={onTogglePanel}
          aria-pressed={panelOpen}
          aria-label={t('inbox.details')}
          title={t('inbox.details')}
          data-testid="toggle-details"
        >
          <Icon name="panel" />
        </button>
      </div>
    </header>
  );
}
