// One message in a thread, rendered by type, with its quote, reactions and delivery ticks.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { Icon } from '../components/Icon';
import { formatTime, linkify } from '../format';
import { useWorkspace } from '../workspace';
import type { DeliveryStatus, Message } from './api';
import './MessageBubble.css';

export function RichText({ text }: { text: string }) {
  return (
    <>
      {linkify(text).map((part, index) =>
        part.kind === 'link' ? (
          <a key={index} href={part.href} target="_blank" rel="noopener noreferrer nofollow">
            {part.text}
          </a>
        ) : (
          <span key={index}>{part.text}</span>
        ),
      )}
    </>
  );
}

const TICK_ICON: Record<DeliveryStatus | 'outbox', 'clock' | 'check' | 'checkDouble' | 'alert'> = {
  outbox: 'clock',
  queued: 'clock',
  sent: 'check',
  delivered: 'checkDouble',
  read: 'checkDouble',
  failed: 'alert',
};

export function DeliveryTicks({ status }: { status: DeliveryStatus | 'outbox' }) {
  const { t } = useTranslation('inbox');
  const label = t(`delivery.${status}`);
  return (
    <span
      className={`ticks ticks--${status}`}
      data-testid="message-status"
      data-status={status}
      title={label}
      role="img"
      aria-label={label}
    >
      <Icon name={TICK_ICON[status]} size={14} />
    </span>
  );
}

/** A short text for a message (quotes, previews): its text or the name of its type. */
export function messageSummary(message: Pick<Message, 'type' | 'text' | 'content'>, t: TFunction<'inbox'>): string {
  if (message.text) return message.text;
  if (message.content.media?.filename) return message.content.media.filename;
  if (message.content.location) return message.content.location.name ?? t('messageType.location');
  return t(`messageType.${message.type}` as 'messageType.text', { defaultValue: t('messageType.unsupported') });
}

export interface Reaction {
  emoji: string;
  from: 'customer' | 'agent';
}

interface BubbleProps {
  message: Message;
  quoted: Message | null | undefined;
  reactions: Reaction[];
  highlighted: boolean;
  onOpenMedia(message: Message): void;
  onReply(message: Message): void;
  onRetry(message: Message): void;
  onJump(messageId: string): void;
  canSend: boolean;
}

export function MessageBubble({ message: m, quoted, reactions, highlighted, onOpenMedia, onReply, onRetry, onJump, canSend }: BubbleProps) {
  const { t, i18n } = useTranslation('inbox');
  const { agentName, me } = useWorkspace();
  const outbound = m.direction === 'outbound';
  const sender = outbound
    ? m.senderType === 'ai'
      ? t('inbox.aiAgent')
      : m.senderId === me.id
        ? t('inbox.you')
        : agentName(m.senderId)
    : null;
  const classes = [
    'msg',
    outbound ? 'msg--out' : 'msg--in',
    highlighted ? 'msg--highlight' : '',
    m.status === 'failed' ? 'msg--failed' : '',
  ]
    .filter(Boolean)
    .join(' ');

  return (
    <div
      className={classes}
      data-testid="message"
      data-message-id={m.id}
      data-direction={m.direction}
      data-type={m.type}
      id={`message-${m.id}`}
    >
      <div className="msg__bubble">
        {m.replyToId && m.type !== 'reaction' ? (
          quoted ? (
            <button type="button" className="msg__quote" onClick={() => onJump(quoted.id)} data-testid="message-quote">
              <span className="msg__quote-who">{quoted.direction === 'inbound' ? t('inbox.customer') : t('inbox.team')}</span>
              <span className="msg__quote-text">{messageSummary(quoted, t)}</span>
            </button>
          ) : (
            <span className="msg__quote msg__quote--missing">{t('inbox.quotedNotLoaded')}</span>
          )
        ) : null}
        <MessageBody message={m} onOpenMedia={onOpenMedia} />
        <span className="msg__meta">
          {sender ? <span className="msg__sender">{sender}</span> : null}
          <time dateTime={m.createdAt} title={new Date(m.createdAt).toLocaleString(i18n.resolvedLanguage === 'id' ? 'id-ID' : 'en-US')}>
            {formatTime(m.createdAt, i18n.resolvedLanguage)}
          </time>
          {outbound ? <DeliveryTicks status={m.status} /> : null}
        </span>
      </div>
      {reactions.length ? (
        <span className="msg__reactions" data-testid="message-reactions">
          {reactions.map((r, i) => (
            <span key={i} title={r.from === 'customer' ? t('inbox.customer') : t('inbox.team')}>
              {r.emoji}
            </span>
          ))}
        </span>
      ) : null}
      {m.status === 'failed' ? (
        <div className="msg__failure" role="alert" data-testid="message-failure">
          <Icon name="alert" size={14} />
          <span>{m.error?.reason || t('delivery.failedUnknown')}</span>
          {canSend && (m.text || m.mediaId) ? (
            <button type="button" className="link-button" onClick={() => onRetry(m)} data-testid="retry-message">
              {t('delivery.retry')}
            </button>
          ) : null}
        </div>
      ) : null}
      {canSend && m.type !== 'reaction' ? (
        <div className="msg__actions">
          <button
            type="button"
            className="icon-button icon-button--sm"
            onClick={() => onReply(m)}
            aria-label={t('inbox.replyTo')}
            title={t('inbox.replyTo')}
          >
            <Icon name="reply" size={14} />
          </button>
        </div>
      ) : null}
    </div>
  );
}

function MessageBody({ message: m, onOpenMedia }: { message: Message; onOpenMedia(message: Message): void }) {
  const { t } = useTranslation('inbox');
  const media = m.content.media;
  const caption = m.text && m.type !== 'text' ? m.text : null;

  switch (m.type) {
    case 'text':
      return <p className="msg__text">{m.text ? <RichText text={m.text} /> : null}</p>;
    case 'image':
    case 'sticker':
      return (
        <>
          {m.mediaUrl ? (
            <ImageThumb message={m} onOpen={() => onOpenMedia(m)} sticker={m.type === 'sticker'} />
          ) : (
            <MediaPending label={t(`messageType.${m.type}`)} />
          )}
          {caption ? (
            <p className="msg__text">
              <RichText text={caption} />
            </p>
          ) : null}
        </>
      );
    case 'video':
      return (
        <>
          {m.mediaUrl ? (
            <video className="msg__video" controls preload="metadata" src={m.mediaUrl} data-testid="message-video" />
          ) : (
            <MediaPending label={t('messageType.video')} />
          )}
          {caption ? (
            <p className="msg__text">
              <RichText text={caption} />
            </p>
          ) : null}
        </>
      );
    case 'audio':
      return (
        <div className="msg__audio">
          <span className="msg__label">
            <Icon name="mic" size={14} />
            {media?.voice ? t('inbox.voiceMessage') : t('messageType.audio')}
          </span>
          {m.mediaUrl ? (
            <audio controls preload="metadata" src={m.mediaUrl} data-testid="message-audio" />
          ) : (
            <MediaPending label={t('messageType.audio')} />
          )}
        </div>
      );
    case 'document':
      return (
        <>
          <a
            className="msg__file"
            href={m.mediaUrl ? `${m.mediaUrl}?download=true` : undefined}
            aria-disabled={!m.mediaUrl}
            download={media?.filename ?? true}
            data-testid="message-document"
          >
            <Icon name="file" size={22} />
            <span className="msg__file-name">{media?.filename ?? t('messageType.document')}</span>
            {m.mediaUrl ? (
              <Icon name="download" size={16} />
            ) : (
              <span className="spinner spinner--dark" aria-label={t('inbox.mediaLoading')} />
            )}
          </a>
          {caption && caption !== media?.filename ? (
            <p className="msg__text">
              <RichText text={caption} />
            </p>
          ) : null}
        </>
      );
    case 'location': {
      const loc = m.content.location;
      if (!loc) return <p className="msg__text msg__text--muted">{t('messageType.location')}</p>;
      const href = `https://www.openstreetmap.org/?mlat=${loc.latitude}&mlon=${loc.longitude}#map=17/${loc.latitude}/${loc.longitude}`;
      return (
        <a className="msg__location" href={href} target="_blank" rel="noopener noreferrer" data-testid="message-location">
          <Icon name="mapPin" size={22} />
          <span>
            <strong>{loc.name || t('messageType.location')}</strong>
            {loc.address ? <span className="msg__sub">{loc.address}</span> : null}
            <span className="msg__sub">
              {loc.latitude.toFixed(5)}, {loc.longitude.toFixed(5)} · {t('inbox.openMap')}
            </span>
          </span>
        </a>
      );
    }
    case 'contacts':
      return (
        <div className="msg__contacts" data-testid="message-contacts">
          {(m.content.contacts ?? []).map((c, i) => (
            <div key={i} className="msg__contact-card">
              <Icon name="user" size={18} />
              <span>
                <strong>{c.name}</strong>
                {c.phones.map((p) => (
                  <a key={p} href={`tel:${p}`} className="msg__sub">
                    {p}
                  </a>
                ))}
                {(c.emails ?? []).map((e) => (
                  <a key={e} href={`mailto:${e}`} className="msg__sub">
                    {e}
                  </a>
                ))}
              </span>
            </div>
          ))}
        </div>
      );
    case 'interactive':
    case 'button': {
      const reply = m.content.interactive;
      if (m.direction === 'outbound' && m.content.buttons) {
        return (
          <>
            <p className="msg__text">{m.text ? <RichText text={m.text} /> : null}</p>
            <span className="msg__buttons">
              {m.content.buttons.map((b) => (
                <span key={b.id} className="msg__button">
                  {b.title}
                </span>
              ))}
            </span>
          </>
        );
      }
      return (
        <p className="msg__text msg__interactive" data-testid="message-interactive">
          <span className="msg__label">
            <Icon name="reply" size={13} />
            {reply?.kind === 'list_reply' ? t('inbox.choseFromList') : t('inbox.pressedButton')}
          </span>
          <strong>{reply?.title ?? m.text}</strong>
          {reply?.description ? <span className="msg__sub">{reply.description}</span> : null}
        </p>
      );
    }
    case 'template':
      return (
        <p className="msg__text">
          <span className="msg__label">{t('messageType.template')}</span>
          <strong>{m.content.template?.name ?? m.text}</strong>
          {m.content.template?.language ? <span className="msg__sub"> ({m.content.template.language})</span> : null}
        </p>
      );
    case 'reaction':
      return (
        <p className="msg__text msg__text--muted">
          {m.content.reaction?.emoji ? t('inbox.reacted', { emoji: m.content.reaction.emoji }) : t('inbox.reactionRemoved')}
        </p>
      );
    default:
      return <p className="msg__text msg__text--muted">{m.content.unsupported?.reason ?? t('messageType.unsupported')}</p>;
  }
}

function MediaPending({ label }: { label: string }) {
  const { t } = useTranslation('inbox');
  return (
    <span className="msg__media-pending" data-testid="media-pending">
      <span className="spinner spinner--dark" aria-hidden="true" />
      {label} · {t('inbox.mediaLoading')}
    </span>
  );
}

function ImageThumb({ message, onOpen, sticker }: { message: Message; onOpen(): void; sticker: boolean }) {
  const { t } = useTranslation('inbox');
  const [useFull, setUseFull] = useState(false);
  const src = useFull || sticker ? message.mediaUrl! : `${message.mediaUrl}?thumbnail=true`;
  const alt = message.text || t(`messageType.${sticker ? 'sticker' : 'image'}`);
  return (
    <button
      type="button"
      className={sticker ? 'msg__image msg__image--sticker' : 'msg__image'}
      onClick={onOpen}
      aria-label={t('inbox.openImage')}
    >
      <img src={src} alt={alt} loading="lazy" data-testid="message-thumbnail" onError={() => setUseFull(true)} />
    </button>
  );
}
