// The customer's satisfaction rating on a resolved conversation: the score (1–5), their comment,
// or where the survey stands (waiting, expired, not sent). Agents may send a survey by hand.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api';
import { Icon } from '../components/Icon';
import { useToast } from '../components/Toasts';
import { errorMessage } from '../errors';
import { formatDateTime } from '../format';
import type { Conversation, Message } from '../inbox/api';
import { useRealtime, useRealtimeEvent } from '../realtime';
import { useWorkspace } from '../workspace';
import { teamApi, type CsatSurvey } from './api';
import './Csat.css';

const isClosed = (c: Conversation) => c.status === 'resolved' || c.status === 'expired';

/** The conversation's latest survey (null: none), loaded for closed conversations only. */
export function useCsat(conversation: Conversation): { survey: CsatSurvey | null | undefined; reload(): void } {
  const { resync } = useRealtime();
  const [survey, setSurvey] = useState<CsatSurvey | null | undefined>(undefined);
  const closed = isClosed(conversation);
  const id = conversation.id;
  const [version, setVersion] = useState(0);
  const reload = useCallback(() => setVersion((n) => n + 1), []);

  useEffect(() => {
    if (!closed) {
      setSurvey(undefined);
      return;
    }
    let cancelled = false;
    teamApi
      .csat(id)
      .then((s) => !cancelled && setSurvey(s))
      .catch((err: unknown) => {
        if (!cancelled) setSurvey(err instanceof ApiError && err.status === 404 ? null : undefined);
      });
    return () => {
      cancelled = true;
    };
  }, [id, closed, resync, version]);

  // A rating arrives as the customer's reply (WhatsApp list) or from the rating page.
  useRealtimeEvent('csat.answered', (p: { conversationId?: string }) => {
    if (closed && p?.conversationId === id) reload();
  });
  useRealtimeEvent('message.created', (p: { message?: Message }) => {
    if (closed && p?.message?.conversationId === id && p.message.direction === 'inbound') reload();
  });
  return { survey, reload };
}

export function Stars({ score }: { score: number }) {
  return (
    <span className="stars" aria-hidden="true">
      {[1, 2, 3, 4, 5].map((n) => (
        <Icon
          key={n}
          name="star"
          size={14}
          className={n <= score ? 'stars__on' : 'stars__off'}
          fill={n <= score ? 'currentColor' : 'none'}
        />
      ))}
    </span>
  );
}

/** A small chip for the thread header: "★ 4/5". */
export function CsatChip({ conversation }: { conversation: Conversation }) {
  const { t } = useTranslation('teamwork');
  const { survey } = useCsat(conversation);
  if (survey?.status !== 'answered' || !survey.score) return null;
  return (
    <span className="csat-chip" title={t('csat.ratedTitle', { score: survey.score })} data-testid="csat-chip">
      <Icon name="star" size={11} fill="currentColor" />
      {t('csat.scoreShort', { score: survey.score })}
    </span>
  );
}

export function CsatSection({ conversation }: { conversation: Conversation }) {
  const { t, i18n } = useTranslation('teamwork');
  const toast = useToast();
  const { can } = useWorkspace();
  const { survey, reload } = useCsat(conversation);
  const [busy, setBusy] = useState(false);
  if (!isClosed(conversation) || survey === undefined) return null;

  async function send() {
    setBusy(true);
    try {
      await teamApi.sendCsat(conversation.id);
      toast(t('csat.sent'), 'success');
      reload();
    } catch (err) {
      toast(
        err instanceof ApiError && err.status === 409
          ? t('csat.alreadyPending')
          : err instanceof ApiError && err.status === 422
            ? t('csat.cannotSendNow')
            : errorMessage(t, err),
        'error',
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel-section" aria-labelledby="panel-csat" data-testid="csat-section">
      <h3 id="panel-csat" className="panel-section__title">
        <Icon name="star" size={12} />
        {t('csat.title')}
      </h3>
      {survey === null ? (
        <>
          <p className="muted">{t('csat.none')}</p>
          {can('messages.send') ? (
            <button
              type="button"
              className="button button--secondary button--sm"
              onClick={() => void send()}
              disabled={busy}
              data-testid="csat-send"
            >
              {t('csat.send')}
            </button>
          ) : null}
        </>
      ) : survey.status === 'answered' && survey.score ? (
        <div className="csat-result" data-testid="csat-result" data-score={survey.score}>
          <p className="csat-result__score">
            <Stars score={survey.score} />
            <strong>{t('csat.scoreOf', { score: survey.score })}</strong>
          </p>
          {survey.comment ? <p className="csat-result__comment">“{survey.comment}”</p> : null}
          {survey.answeredAt ? (
            <p className="muted">{t('csat.answeredAt', { when: formatDateTime(survey.answeredAt, i18n.resolvedLanguage) })}</p>
          ) : null}
        </div>
      ) : (
        <p className="muted" data-testid="csat-status">
          {survey.status === 'pending'
            ? t('csat.pending', { when: formatDateTime(survey.expiresAt, i18n.resolvedLanguage) })
            : survey.status === 'expired'
              ? t('csat.expired')
              : t('csat.failed', { reason: survey.failureReason ?? '' })}
        </p>
      )}
    </section>
  );
}
