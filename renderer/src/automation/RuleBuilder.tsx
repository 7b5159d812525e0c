// The rule builder: name, triggers, nested condition groups (all/any), ordered actions, rollout and
// schedule. The server validates the whole rule; its errors name a path ("conditions.conditions.1.value")
// and appear next to that part of the form.
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../components/Dialog';
import { FormError } from '../components/FormError';
import { SubmitButton } from '../components/SubmitButton';
import { ApiError, callApi } from '../api';
import { useTeam } from '../teamwork/TeamContext';
import { Toggle, problemText } from '../settings/ui';
import {
  ACTION_TYPES,
  FIELDS,
  OPERATORS,
  TRIGGERS,
  automationApi,
  isGroup,
  type Action,
  type ActionDraft,
  type Condition,
  type ConditionGroup,
  type Rule,
  type Trigger,
} from './api';

type Errors = Record<string, string>;

function FieldError({ errors, path }: { errors: Errors; path: string }) {
  const message = errors[path];
  return message ? (
    <p className="field__error" data-testid={`error-${path}`}>
      {message}
    </p>
  ) : null;
}

const NO_VALUE = ['exists', 'not_exists'];
const LIST = ['in', 'not_in'];

function valueText(c: Condition): string {
  if (Array.isArray(c.value)) return c.value.join(', ');
  if (c.value === undefined || c.value === null) return '';
  return String(c.value);
}

function parseValue(operator: string, field: string, text: string): Condition['value'] {
  if (NO_VALUE.includes(operator)) return undefined;
  if (LIST.includes(operator))
    return text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (operator === 'greater_than' || operator === 'less_than' || field === 'time.hour' || field === 'conversation.unreadCount') {
    const n = Number(text);
    return text.trim() !== '' && !Number.isNaN(n) ? n : text;
  }
  if (field === 'time.withinWorkingHours') return text === 'true';
  return text;
}

function ConditionRow({
  condition,
  path,
  errors,
  onChange,
  onRemove,
}: {
  condition: Condition;
  path: string;
  errors: Errors;
  onChange(c: Condition): void;
  onRemove(): void;
}) {
  const { t } = useTranslation('automation');
  const [text, setText] = useState(valueText(condition));
  const invalid = Object.keys(errors).some((p) => p === path || p.startsWith(`${path}.`));
  return (
    <div className={invalid ? 'rule-condition rule-condition--invalid' : 'rule-condition'} data-testid="rule-condition">
      <select
        value={(FIELDS as readonly string[]).includes(condition.field) ? condition.field : condition.field}
        onChange={(e) => onChange({ ...condition, field: e.target.value, value: parseValue(condition.operator, e.target.value, text) })}
        aria-label={t('automation.builder.field')}
        data-testid="condition-field"
      >
        {FIELDS.map((f) => (
          <option key={f} value={f}>
            {t(`automation.fields.${f.replace('.', '_')}` as never, { defaultValue: f })}
          </option>
        ))}
      </select>
      <select
        value={condition.operator}
        onChange={(e) =>
          onChange({
            ...condition,
            operator: e.target.value as Condition['operator'],
            value: parseValue(e.target.value, condition.field, text),
          })
        }
        aria-label={t('automation.builder.operator')}
        data-testid="condition-operator"
      >
        {OPERATORS.map((o) => (
          <option key={o} value={o}>
            {t(`automation.operators.${o}`)}
          </option>
        ))}
      </select>
      {NO_VALUE.includes(condition.operator) ? null : (
        <input
          className="field__input"
          value={text}
          placeholder={LIST.includes(condition.operator) ? t('automation.builder.listHint') : t('automation.builder.value')}
          aria-label={t('automation.builder.value')}
          onChange={(e) => {
            setText(e.target.value);
            onChange({ ...condition, value: parseValue(condition.operator, condition.field, e.target.value) });
          }}
          data-testid="condition-value"
        />
      )}
      <button
        type="button"
        className="button button--secondary button--sm"
        onClick={onRemove}
        aria-label={t('automation.builder.removeCondition')}
      >
        ×
      </button>
      {Object.entries(errors)
        .filter(([p]) => p === path || p.startsWith(`${path}.`))
        .map(([p, message]) => (
          <p key={p} className="field__error rule-condition__error" data-testid="condition-error">
            {message}
          </p>
        ))}
    </div>
  );
}

function GroupEditor({
  group,
  path,
  errors,
  onChange,
  onRemove,
  depth = 0,
}: {
  group: ConditionGroup;
  path: string;
  errors: Errors;
  onChange(g: ConditionGroup): void;
  onRemove?(): void;
  depth?: number;
}) {
  const { t } = useTranslation('automation');
  const set = (i: number, c: Condition | ConditionGroup) =>
    onChange({ ...group, conditions: group.conditions.map((x, j) => (j === i ? c : x)) });
  const remove = (i: number) => onChange({ ...group, conditions: group.conditions.filter((_, j) => j !== i) });
  return (
    <fieldset className="rule-group" data-testid="rule-group">
      <legend className="rule-group__legend">
        <select
          value={group.match}
          onChange={(e) => onChange({ ...group, match: e.target.value as 'all' | 'any' })}
          data-testid="group-match"
          aria-label={t('automation.builder.match')}
        >
          <option value="all">{t('automation.builder.matchAll')}</option>
          <option value="any">{t('automation.builder.matchAny')}</option>
        </select>
        {onRemove ? (
          <button type="button" className="button button--secondary button--sm" onClick={onRemove}>
            {t('automation.builder.removeGroup')}
          </button>
        ) : null}
      </legend>
      {group.conditions.length === 0 ? <p className="muted">{t('automation.builder.noConditions')}</p> : null}
      {group.conditions.map((c, i) =>
        isGroup(c) ? (
          <GroupEditor
            key={i}
            group={c}
            path={`${path}.conditions.${i}`}
            errors={errors}
            onChange={(g) => set(i, g)}
            onRemove={() => remove(i)}
            depth={depth + 1}
          />
        ) : (
          <ConditionRow
            key={i}
            condition={c}
            path={`${path}.conditions.${i}`}
            errors={errors}
            onChange={(x) => set(i, x)}
            onRemove={() => remove(i)}
          />
        ),
      )}
      <div className="rule-group__add">
        <button
          type="button"
          className="button button--secondary button--sm"
          onClick={() =>
            onChange({ ...group, conditions: [...group.conditions, { field: 'message.text', operator: 'contains', value: '' }] })
          }
          data-testid="add-condition"
        >
          {t('automation.builder.addCondition')}
        </button>
        {depth < 3 ? (
          <button
            type="button"
            className="button button--secondary button--sm"
            onClick={() => onChange({ ...group, conditions: [...group.conditions, { match: 'any', conditions: [] }] })}
            data-testid="add-group"
          >
            {t('automation.builder.addGroup')}
          </button>
        ) : null}
      </div>
      <FieldError errors={errors} path={path} />
    </fieldset>
  );
}

/** What the template, webhook and AI agent actions can name. */
interface ActionTargets {
  templates: { id: string; name: string; variables: string[] }[];
  webhooks: { id: string; name: string }[];
  aiAgents: { id: string; name: string }[];
}

const DEFAULTS: Record<string, ActionDraft> = {
  add_tag: { type: 'add_tag', tags: [] },
  remove_tag: { type: 'remove_tag', tags: [] },
  set_priority: { type: 'set_priority', priority: 'high' },
  send_message: { type: 'send_message', text: '' },
  send_quick_reply: { type: 'send_quick_reply', quickReplyId: '' },
  send_template: { type: 'send_template', templateId: '', values: {} },
  call_webhook: { type: 'call_webhook', webhookId: '' },
  hand_to_ai_agent: { type: 'hand_to_ai_agent', aiAgentId: '' },
  add_note: { type: 'add_note', text: '' },
  assign_agent: { type: 'assign_agent', agentId: '' },
  assign_division: { type: 'assign_division', divisionId: '' },
  assign_round_robin: { type: 'assign_round_robin', divisionId: '' },
  unassign: { type: 'unassign' },
  transfer: { type: 'transfer', toDivisionId: '', reason: '' },
  resolve: { type: 'resolve' },
  reopen: { type: 'reopen' },
  snooze: { type: 'snooze', minutes: 60 },
  wait: { type: 'wait', minutes: 10 },
};

function ActionRow({
  action,
  index,
  count,
  errors,
  agents,
  quickReplies,
  targets,
  onChange,
  onMove,
  onRemove,
}: {
  action: ActionDraft;
  index: number;
  count: number;
  errors: Errors;
  agents: { id: string; name: string }[];
  quickReplies: { id: string; shortcut: string }[];
  targets: ActionTargets;
  onChange(a: ActionDraft): void;
  onMove(delta: number): void;
  onRemove(): void;
}) {
  const { t } = useTranslation('automation');
  const { divisions } = useTeam();
  const path = `actions.${index}`;
  const own = Object.entries(errors).filter(([p]) => p === path || p.startsWith(`${path}.`));
  const text = (key: string, multiline = false) => {
    const props = {
      className: 'field__input',
      value: String(action[key] ?? ''),
      onChange: (e: { target: { value: string } }) => onChange({ ...action, [key]: e.target.value }),
      'aria-label': t(`automation.actionFields.${key}` as never),
      'data-testid': `action-${key}`,
    };
    return multiline ? <textarea rows={2} {...props} /> : <input {...props} />;
  };
  const select = (key: string, options: { id: string; name: string }[]) => (
    <select
      value={String(action[key] ?? '')}
      onChange={(e) => onChange({ ...action, [key]: e.target.value || null })}
      data-testid={`action-${key}`}
      aria-label={t(`automation.actionFields.${key}` as never)}
    >
      <option value="">{t('automation.builder.choose')}</option>
      {options.map((o) => (
        <option key={o.id} value={o.id}>
          {o.name}
        </option>
      ))}
    </select>
  );
  return (
    <li className={own.length ? 'rule-action rule-action--invalid' : 'rule-action'} data-testid="rule-action">
      <span className="rule-action__n">{index + 1}</span>
      {action.type === 'built_in' ? (
        <span className="pill pill--accent">{t('automation.builtInAction', { action: String(action.action) })}</span>
      ) : (
        <select
          value={action.type}
          onChange={(e) => onChange(DEFAULTS[e.target.value] ?? { type: e.target.value })}
          data-testid="action-type"
          aria-label={t('automation.builder.actionType')}
        >
          {ACTION_TYPES.map((a) => (
            <option key={a} value={a}>
              {t(`automation.actions.${a}`)}
            </option>
          ))}
        </select>
      )}
      {action.type === 'add_tag' || action.type === 'remove_tag' ? (
        <input
          className="field__input"
          value={((action.tags as string[]) ?? []).join(', ')}
          placeholder={t('automation.builder.listHint')}
          onChange={(e) =>
            onChange({
              ...action,
              tags: e.target.value
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean),
            })
          }
          data-testid="action-tags"
          aria-label={t('automation.actionFields.tags')}
        />
      ) : null}
      {action.type === 'set_priority' ? (
        <select
          value={String(action.priority)}
          onChange={(e) => onChange({ ...action, priority: e.target.value })}
          data-testid="action-priority"
        >
          {['low', 'normal', 'high', 'urgent'].map((p) => (
            <option key={p} value={p}>
              {t(`sla.priorities.${p}` as never)}
            </option>
          ))}
        </select>
      ) : null}
      {action.type === 'send_message' || action.type === 'add_note' ? text('text', true) : null}
      {action.type === 'send_quick_reply'
        ? select(
            'quickReplyId',
            quickReplies.map((q) => ({ id: q.id, name: `/${q.shortcut}` })),
          )
        : null}
      {action.type === 'send_template' ? (
        <>
          {select('templateId', targets.templates)}
          {(targets.templates.find((x) => x.id === action.templateId)?.variables ?? []).map((key) => (
            <input
              key={key}
              className="field__input"
              value={String((action.values as Record<string, string> | undefined)?.[key] ?? '')}
              onChange={(e) => onChange({ ...action, values: { ...(action.values as object), [key]: e.target.value } })}
              placeholder={key}
              aria-label={t('automation.actionFields.templateValue', { key })}
              data-testid={`action-value-${key}`}
            />
          ))}
        </>
      ) : null}
      {action.type === 'call_webhook' ? select('webhookId', targets.webhooks) : null}
      {action.type === 'hand_to_ai_agent' ? select('aiAgentId', targets.aiAgents) : null}
      {action.type === 'assign_agent' ? select('agentId', agents) : null}
      {action.type === 'assign_division' || action.type === 'assign_round_robin' ? select('divisionId', divisions) : null}
      {action.type === 'transfer' ? (
        <>
          {select('toDivisionId', divisions)}
          {text('reason')}
        </>
      ) : null}
      {action.type === 'snooze' || action.type === 'wait' ? (
        <input
          type="number"
          min={1}
          className="field__input rule-action__minutes"
          value={Number(action.minutes ?? 1)}
          onChange={(e) => onChange({ ...action, minutes: Number(e.target.value) })}
          aria-label={t('automation.actionFields.minutes')}
          data-testid="action-minutes"
        />
      ) : null}
      <span className="rule-action__tools">
        <button
          type="button"
          className="button button--secondary button--sm"
          disabled={index === 0}
          onClick={() => onMove(-1)}
          aria-label={t('automation.builder.moveUp')}
        >
          ↑
        </button>
        <button
          type="button"
          className="button button--secondary button--sm"
          disabled={index === count - 1}
          onClick={() => onMove(1)}
          aria-label={t('automation.builder.moveDown')}
        >
          ↓
        </button>
        <button
          type="button"
          className="button button--secondary button--sm"
          onClick={onRemove}
          aria-label={t('automation.builder.removeAction')}
        >
          ×
        </button>
      </span>
      {own.map(([p, message]) => (
        <p key={p} className="field__error rule-action__error" data-testid="action-error">
          {message}
        </p>
      ))}
    </li>
  );
}

export function RuleBuilder({ rule, onClose, onSaved }: { rule: Rule | null; onClose(): void; onSaved(): void }) {
  const { t } = useTranslation('automation');
  const [name, setName] = useState(rule?.name ?? '');
  const [triggers, setTriggers] = useState<Trigger[]>(rule?.triggers.filter((x) => x !== 'schedule.tick') ?? ['message.received']);
  const [conditions, setConditions] = useState<ConditionGroup>(rule?.conditions ?? { match: 'all', conditions: [] });
  const [actions, setActions] = useState<ActionDraft[]>(rule?.actions ?? [{ type: 'add_tag', tags: [] }]);
  const [enabled, setEnabled] = useState(rule?.enabled ?? true);
  const [rollout, setRollout] = useState(rule?.rolloutPercent ?? 100);
  const [cron, setCron] = useState(rule?.schedule?.cron ?? '');
  const [errors, setErrors] = useState<Errors>({});
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [agents, setAgents] = useState<{ id: string; name: string }[]>([]);
  const [quickReplies, setQuickReplies] = useState<{ id: string; shortcut: string }[]>([]);
  const [targets, setTargets] = useState<ActionTargets>({ templates: [], webhooks: [], aiAgents: [] });
  const [preview, setPreview] = useState<{ at: string; local: string }[] | null>(null);

  useEffect(() => {
    callApi('get', '/api/v1/agents', { query: { limit: 200 } }).then(
      (p) => setAgents(p.data.filter((a) => a.status === 'active')),
      () => undefined,
    );
    callApi('get', '/api/v1/quick-replies', { query: { scope: 'shared', limit: 200 } }).then(
      (p) => setQuickReplies(p.data),
      () => undefined,
    );
    // What the template, webhook and AI actions can name (each list only if the person may read it).
    callApi('get', '/api/v1/wa-templates', { query: { status: 'APPROVED', limit: 200 } }).then(
      (p) =>
        setTargets((x) => ({
          ...x,
          templates: p.data.map((t) => ({ id: t.id, name: `${t.name} (${t.language})`, variables: t.variables.map((v) => v.key) })),
        })),
      () => undefined,
    );
    callApi('get', '/api/v1/outgoing-webhooks', { query: { limit: 200 } }).then(
      (p) => setTargets((x) => ({ ...x, webhooks: p.data.map((w) => ({ id: w.id, name: w.name ?? w.url })) })),
      () => undefined,
    );
    callApi('get', '/api/v1/ai-agents', { query: { limit: 200 } }).then(
      (p) => setTargets((x) => ({ ...x, aiAgents: p.data.map((a) => ({ id: a.id, name: a.name })) })),
      () => undefined,
    );
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const local: Errors = {};
    if (!name.trim()) local.name = t('validation.required');
    if (triggers.length === 0 && !cron.trim()) local.triggers = t('automation.builder.needTrigger');
    if (actions.length === 0) local.actions = t('automation.builder.needAction');
    setErrors(local);
    setError(undefined);
    if (Object.keys(local).length) return;
    setBusy(true);
    const body = {
      name: name.trim(),
      enabled,
      triggers: triggers.length ? triggers : (['schedule.tick'] satisfies Trigger[]),
      conditions,
      // Edited field by field; the server checks each against its action type and names bad fields.
      actions: actions as Action[],
      rolloutPercent: rollout,
      schedule: cron.trim() ? { cron: cron.trim() } : null,
    };
    try {
      if (rule)
        await automationApi.updateRule(rule.id, rule.builtIn ? { ...body, schedule: rule.schedule ? body.schedule : undefined } : body);
      else await automationApi.createRule(body);
      onSaved();
      onClose();
    } catch (err) {
      setErrors(err instanceof ApiError ? err.fieldErrors : {});
      setError(problemText(t, err));
    } finally {
      setBusy(false);
    }
  }

  async function showPreview() {
    if (!rule || !cron.trim()) return;
    try {
      setPreview((await automationApi.preview(rule.id, cron.trim())).runs);
    } catch (err) {
      setErrors({ 'schedule.cron': err instanceof ApiError ? (Object.values(err.fieldErrors)[0] ?? err.message) : String(err) });
    }
  }

  return (
    <Dialog
      title={rule ? t('automation.builder.edit') : t('automation.builder.create')}
      onClose={onClose}
      testId="rule-dialog"
      className="dialog--form dialog--wide"
    >
      <form className="stack-form" onSubmit={submit} noValidate>
        <FormError message={error} />
        <div className={errors.name ? 'field field--invalid' : 'field'}>
          <label className="field__label" htmlFor="rule-name">
            {t('automation.builder.name')}
          </label>
          <input
            id="rule-name"
            className="field__input"
            value={name}
            maxLength={200}
            onChange={(e) => setName(e.target.value)}
            data-testid="rule-name"
            data-autofocus
          />
          <FieldError errors={errors} path="name" />
        </div>
        <fieldset className="field">
          <legend className="field__label">{t('automation.builder.when')}</legend>
          <div className="rule-triggers">
            {TRIGGERS.filter((x) => x !== 'schedule.tick').map((trigger) => (
              <label key={trigger} className="chip chip--button">
                <input
                  type="checkbox"
                  checked={triggers.includes(trigger)}
                  onChange={(e) => setTriggers(e.target.checked ? [...triggers, trigger] : triggers.filter((x) => x !== trigger))}
                  data-testid={`trigger-${trigger}`}
                />{' '}
                {t(`automation.triggers.${trigger.replace('.', '_')}` as never)}
              </label>
            ))}
          </div>
          {Object.entries(errors)
            .filter(([p]) => p === 'triggers' || p.startsWith('triggers.'))
            .map(([p, m]) => (
              <p key={p} className="field__error">
                {m}
              </p>
            ))}
        </fieldset>
        <div className="field">
          <label className="field__label" htmlFor="rule-cron">
            {t('automation.builder.schedule')}
          </label>
          <span className="rule-cron">
            <input
              id="rule-cron"
              className="field__input"
              value={cron}
              placeholder="0 9 * * 1-5"
              onChange={(e) => setCron(e.target.value)}
              data-testid="rule-cron"
            />
            {rule ? (
              <button
                type="button"
                className="button button--secondary button--sm"
                onClick={showPreview}
                disabled={!cron.trim()}
                data-testid="rule-preview"
              >
                {t('automation.builder.preview')}
              </button>
            ) : null}
          </span>
          <p className="field__hint">{t('automation.builder.scheduleHint')}</p>
          <FieldError errors={errors} path="schedule.cron" />
          {preview ? (
            <ul className="rule-preview" data-testid="rule-preview-list">
              {preview.map((p) => (
                <li key={p.at}>{p.local}</li>
              ))}
            </ul>
          ) : null}
        </div>
        <div className="field">
          <span className="field__label">{t('automation.builder.if')}</span>
          <GroupEditor group={conditions} path="conditions" errors={errors} onChange={setConditions} />
        </div>
        <div className="field">
          <span className="field__label">{t('automation.builder.then')}</span>
          <ol className="rule-actions">
            {actions.map((a, i) => (
              <ActionRow
                key={i}
                action={a}
                index={i}
                count={actions.length}
                errors={errors}
                agents={agents}
                quickReplies={quickReplies}
                targets={targets}
                onChange={(x) => setActions(actions.map((y, j) => (j === i ? x : y)))}
                onMove={(d) => {
                  const next = [...actions];
                  [next[i], next[i + d]] = [next[i + d], next[i]];
                  setActions(next);
                }}
                onRemove={() => setActions(actions.filter((_, j) => j !== i))}
              />
            ))}
          </ol>
          <button
            type="button"
            className="button button--secondary button--sm"
            onClick={() => setActions([...actions, { type: 'add_tag', tags: [] }])}
            data-testid="add-action"
          >
            {t('automation.builder.addAction')}
          </button>
          <FieldError errors={errors} path="actions" />
        </div>
        <div className="field">
          <label className="field__label" htmlFor="rule-rollout">
            {t('automation.builder.rollout', { percent: rollout })}
          </label>
          <input
            id="rule-rollout"
            type="range"
            min={0}
            max={100}
            step={5}
            value={rollout}
            onChange={(e) => setRollout(Number(e.target.value))}
          />
        </div>
        <Toggle checked={enabled} onChange={setEnabled} label={t('automation.builder.enabled')} />
        <div className="form-actions">
          <button type="button" className="button button--secondary" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <SubmitButton busy={busy} busyLabel={t('settings.saving')} data-testid="rule-save">
            {t('common.save')}
          </SubmitButton>
        </div>
      </form>
    </Dialog>
  );
}
