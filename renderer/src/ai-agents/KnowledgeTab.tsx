// An agent's knowledge: sources (text, FAQ, files, web pages) with their processing status, the
// FAQ's question-and-answer pairs, and products (one by one or imported from CSV).
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { FormError } from '../components/FormError';
import { Icon } from '../components/Icon';
import { SubmitButton } from '../components/SubmitButton';
import { useToast } from '../components/Toasts';
import { errorMessage } from '../errors';
import { fieldErrorsOf, problemText } from '../settings/ui';
import { aiApi, type AiAgent, type KnowledgeSource, type NewSource, type Product, type QnaPair, type SourceType } from './api';

function StatusPill({ source }: { source: KnowledgeSource }) {
  const { t } = useTranslation('aiAgents');
  const cls = source.status === 'ready' ? 'pill pill--ok' : source.status === 'failed' ? 'pill ai-pill--failed' : 'pill pill--muted';
  return (
    <span className={cls} data-testid="ai-source-status">
      {t(`aiAgents.knowledge.status.${source.status}`)}
    </span>
  );
}

function QnaPairs({ agent, source, onChanged }: { agent: AiAgent; source: KnowledgeSource; onChanged(): void }) {
  const { t } = useTranslation('aiAgents');
  const toast = useToast();
  const [pairs, setPairs] = useState<QnaPair[] | null>(null);
  const [question, setQuestion] = useState('');
  const [answer, setAnswer] = useState('');
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  const load = useCallback(() => {
    aiApi.qna(agent.id, source.id).then(
      (p) => setPairs(p.data),
      (err: unknown) => toast(errorMessage(t, err), 'error'),
    );
  }, [agent.id, source.id, t, toast]);
  useEffect(load, [load]);

  async function add(event: FormEvent) {
    event.preventDefault();
    setFieldErrors({});
    try {
      await aiApi.addQna(agent.id, source.id, { question, answer });
      setQuestion('');
      setAnswer('');
      load();
      onChanged();
    } catch (err) {
      setFieldErrors(fieldErrorsOf(err, t));
      toast(problemText(t, err), 'error');
    }
  }

  return (
    <div className="ai-qna">
      <ul className="ai-list">
        {pairs?.map((p) => (
          <li key={p.id} className="ai-list__item" data-testid="ai-qna-row">
            <span>
              <strong>{p.question}</strong>
              <br />
              <span className="muted">{p.answer}</span>
            </span>
            <button
              type="button"
              className="link-button link-button--danger"
              onClick={() =>
                void aiApi.deleteQna(agent.id, source.id, p.id).then(
                  () => {
                    load();
                    onChanged();
                  },
                  (err: unknown) => toast(problemText(t, err), 'error'),
                )
              }
            >
              {t('aiAgents.remove')}
            </button>
          </li>
        ))}
      </ul>
      <form className="stack-form" onSubmit={add}>
        <div className={fieldErrors.question ? 'field field--invalid' : 'field'}>
          <input
            className="field__input"
            placeholder={t('aiAgents.knowledge.question')}
            aria-label={t('aiAgents.knowledge.question')}
            value={question}
            onChange={(e) => setQuestion(e.target.value)}
            data-testid="ai-qna-question"
          />
        </div>
        <div className={fieldErrors.answer ? 'field field--invalid' : 'field'}>
          <textarea
            className="field__input"
            rows={2}
            placeholder={t('aiAgents.knowledge.answer')}
            aria-label={t('aiAgents.knowledge.answer')}
            value={answer}
            onChange={(e) => setAnswer(e.target.value)}
            data-testid="ai-qna-answer"
          />
        </div>
        <div>
          <button type="submit" className="button button--secondary button--sm" data-testid="ai-qna-add">
            <Icon name="plus" size={14} />
            {t('aiAgents.knowledge.addPair')}
          </button>
        </div>
      </form>
    </div>
  );
}

export function KnowledgeTab({ agent }: { agent: AiAgent }) {
  const { t } = useTranslation('aiAgents');
  const toast = useToast();
  const [sources, setSources] = useState<KnowledgeSource[] | null>(null);
  const [type, setType] = useState<SourceType>('qna');
  const [name, setName] = useState('');
  const [content, setContent] = useState('');
  const [url, setUrl] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [open, setOpen] = useState<string | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);

  const load = useCallback(() => {
    aiApi.sources(agent.id).then(
      (p) => setSources(p.data),
      (err: unknown) => setError(errorMessage(t, err)),
    );
  }, [agent.id, t]);
  useEffect(load, [load]);
  // While something is processing, look again every second.
  const processing = sources?.some((s) => s.status === 'processing');
  useEffect(() => {
    if (!processing) return;
    const timer = setInterval(load, 1000);
    return () => clearInterval(timer);
  }, [processing, load]);

  async function add(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setFieldErrors({});
    try {
      const body: NewSource = { type, name: name.trim() || undefined };
      if (type === 'text') body.content = content;
      if (type === 'url') body.url = url.trim();
      if (type === 'file') {
        if (!file) {
          setFieldErrors({ mediaId: t('validation.required') });
          return;
        }
        body.mediaId = (await aiApi.upload(file)).id;
      }
      const created = await aiApi.addSource(agent.id, body);
      setName('');
      setContent('');
      setUrl('');
      setFile(null);
      if (fileRef.current) fileRef.current.value = '';
      if (created.type === 'qna') setOpen(created.id);
      load();
    } catch (err) {
      setFieldErrors(fieldErrorsOf(err, t));
      setError(problemText(t, err));
    } finally {
      setBusy(false);
    }
  }

  async function act(work: () => Promise<unknown>) {
    try {
      await work();
      load();
    } catch (err) {
      toast(problemText(t, err), 'error');
    }
  }

  return (
    <div className="ai-columns ai-columns--wide-first">
      <section className="card" data-testid="ai-sources">
        <h3 className="card__title">{t('aiAgents.knowledge.title')}</h3>
        <FormError message={error} />
        {sources?.length === 0 ? <p className="muted">{t('aiAgents.knowledge.empty')}</p> : null}
        <ul className="ai-list">
          {sources?.map((s) => (
            <li key={s.id} className="ai-source" data-testid="ai-source-row" data-status={s.status} data-name={s.name}>
              <div className="ai-list__item">
                <span className="ai-source__main">
                  <span className="pill pill--accent">{t(`aiAgents.knowledge.types.${s.type}`)}</span> <strong>{s.name}</strong>{' '}
                  <StatusPill source={s} />
                  <br />
                  <span className="muted">
                    {s.status === 'failed'
                      ? s.error
                      : t('aiAgents.knowledge.meta', { count: s.chunkCount, chars: s.charCount.toLocaleString() }) +
                        (s.qnaCount !== null ? ` · ${t('aiAgents.knowledge.pairs', { count: s.qnaCount })}` : '')}
                  </span>
                </span>
                <span className="ai-list__actions">
                  {s.type === 'qna' ? (
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => setOpen((cur) => (cur === s.id ? null : s.id))}
                      data-testid="ai-source-open"
                    >
                      {open === s.id ? t('aiAgents.knowledge.hidePairs') : t('aiAgents.knowledge.showPairs')}
                    </button>
                  ) : null}
                  <button
                    type="button"
                    className="link-button"
                    disabled={s.status === 'processing'}
                    onClick={() => void act(() => aiApi.reprocess(agent.id, s.id))}
                    data-testid="ai-source-reprocess"
                  >
                    {t('aiAgents.knowledge.reprocess')}
                  </button>
                  <button
                    type="button"
                    className="link-button link-button--danger"
                    onClick={() => {
                      if (window.confirm(t('aiAgents.knowledge.confirmDelete', { name: s.name })))
                        void act(() => aiApi.deleteSource(agent.id, s.id));
                    }}
                  >
                    {t('aiAgents.remove')}
                  </button>
                </span>
              </div>
              {open === s.id ? <QnaPairs agent={agent} source={s} onChanged={load} /> : null}
            </li>
          ))}
        </ul>
      </section>
      <section className="card">
        <h3 className="card__title">{t('aiAgents.knowledge.add')}</h3>
        <form className="stack-form" onSubmit={add} noValidate>
          <div className="radio-row" role="radiogroup" aria-label={t('aiAgents.knowledge.type')}>
            {(['qna', 'text', 'file', 'url'] as const).map((option) => (
              <label key={option} className="check-field">
                <input
                  type="radio"
                  name="ai-source-type"
                  value={option}
                  checked={type === option}
                  onChange={() => setType(option)}
                  data-testid={`ai-source-type-${option}`}
                />
                <span>{t(`aiAgents.knowledge.types.${option}`)}</span>
              </label>
            ))}
          </div>
          <p className="muted">{t(`aiAgents.knowledge.typeHint.${type}`)}</p>
          <div className="field">
            <label className="field__label" htmlFor="ai-source-name">
              {t('aiAgents.knowledge.name')}
            </label>
            <input
              id="ai-source-name"
              className="field__input"
              value={name}
              onChange={(e) => setName(e.target.value)}
              data-testid="ai-source-name"
            />
          </div>
          {type === 'text' ? (
            <div className={fieldErrors.content ? 'field field--invalid' : 'field'}>
              <label className="field__label" htmlFor="ai-source-content">
                {t('aiAgents.knowledge.content')}
              </label>
              <textarea
                id="ai-source-content"
                className="field__input"
                rows={8}
                value={content}
                onChange={(e) => setContent(e.target.value)}
                data-testid="ai-source-content"
              />
              {fieldErrors.content ? <p className="field__error">{fieldErrors.content}</p> : null}
            </div>
          ) : null}
          {type === 'url' ? (
            <div className={fieldErrors.url ? 'field field--invalid' : 'field'}>
              <label className="field__label" htmlFor="ai-source-url">
                {t('aiAgents.knowledge.url')}
              </label>
              <input
                id="ai-source-url"
                className="field__input"
                type="url"
                placeholder="https://"
                value={url}
                onChange={(e) => setUrl(e.target.value)}
                data-testid="ai-source-url"
              />
              {fieldErrors.url ? <p className="field__error">{fieldErrors.url}</p> : null}
            </div>
          ) : null}
          {type === 'file' ? (
            <div className={fieldErrors.mediaId ? 'field field--invalid' : 'field'}>
              <label className="field__label" htmlFor="ai-source-file">
                {t('aiAgents.knowledge.file')}
              </label>
              <input
                id="ai-source-file"
                ref={fileRef}
                type="file"
                accept=".pdf,.docx,.txt,.csv,.md,application/pdf,text/plain,text/csv"
                onChange={(e) => setFile(e.target.files?.[0] ?? null)}
                data-testid="ai-source-file"
              />
              {fieldErrors.mediaId ? <p className="field__error">{fieldErrors.mediaId}</p> : null}
            </div>
          ) : null}
          <div>
            <SubmitButton busy={busy} busyLabel={t('settings.saving')} data-testid="ai-source-add">
              {t('aiAgents.knowledge.addButton')}
            </SubmitButton>
          </div>
        </form>
      </section>
    </div>
  );
}

const formatPrice = (p: Product, locale: string) => {
  try {
    return new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: p.currency,
      minimumFractionDigits: 0,
      maximumFractionDigits: 2,
    }).format(p.price);
  } catch {
    return `${p.currency} ${p.price}`;
  }
};

export function ProductsTab({ agent }: { agent: AiAgent }) {
  const { t, i18n } = useTranslation('aiAgents');
  const toast = useToast();
  const [products, setProducts] = useState<Product[] | null>(null);
  const [search, setSearch] = useState('');
  const [form, setForm] = useState({ name: '', sku: '', price: '', stock: '', description: '' });
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [csv, setCsv] = useState('');
  const [result, setResult] = useState<{ created: number; updated: number; errors: { row: number; message: string }[] } | null>(null);

  const load = useCallback(() => {
    aiApi.products(agent.id, search).then(
      (p) => setProducts(p.data),
      (err: unknown) => toast(errorMessage(t, err), 'error'),
    );
  }, [agent.id, search, t, toast]);
  useEffect(load, [load]);

  async function add(event: FormEvent) {
    event.preventDefault();
    setFieldErrors({});
    if (form.price === '') {
      setFieldErrors({ price: t('validation.required') });
      return;
    }
    try {
      await aiApi.createProduct(agent.id, {
        name: form.name.trim(),
        sku: form.sku.trim() || null,
        price: Number(form.price),
        stock: form.stock === '' ? null : Number(form.stock),
        description: form.description.trim() || null,
      });
      setForm({ name: '', sku: '', price: '', stock: '', description: '' });
      load();
    } catch (err) {
      setFieldErrors(fieldErrorsOf(err, t));
      toast(problemText(t, err), 'error');
    }
  }

  async function importCsv(event: FormEvent) {
    event.preventDefault();
    try {
      setResult(await aiApi.bulkProducts(agent.id, csv));
      load();
    } catch (err) {
      toast(problemText(t, err), 'error');
    }
  }

  const input = (key: keyof typeof form, label: string, type = 'text') => (
    <div className={fieldErrors[key] ? 'field field--invalid' : 'field'}>
      <label className="field__label" htmlFor={`ai-product-${key}`}>
        {label}
      </label>
      <input
        id={`ai-product-${key}`}
        className="field__input"
        type={type}
        value={form[key]}
        onChange={(e) => setForm((f) => ({ ...f, [key]: e.target.value }))}
        data-testid={`ai-product-${key}`}
      />
      {fieldErrors[key] ? <p className="field__error">{fieldErrors[key]}</p> : null}
    </div>
  );

  return (
    <div className="ai-columns ai-columns--wide-first">
      <section className="card" data-testid="ai-products">
        <div className="toolbar-row">
          <h3 className="card__title">{t('aiAgents.products.title')}</h3>
          <input
            className="field__input toolbar-row__search"
            type="search"
            placeholder={t('aiAgents.products.search')}
            aria-label={t('aiAgents.products.search')}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </div>
        {products?.length === 0 ? <p className="muted">{t('aiAgents.products.empty')}</p> : null}
        <div className="table-wrap">
          <table className="data-table">
            <thead>
              <tr>
                <th>{t('aiAgents.products.name')}</th>
                <th>{t('aiAgents.products.sku')}</th>
                <th>{t('aiAgents.products.price')}</th>
                <th>{t('aiAgents.products.stock')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {products?.map((p) => (
                <tr key={p.id} data-testid="ai-product-row" data-name={p.name}>
                  <td>{p.name}</td>
                  <td>{p.sku ?? ''}</td>
                  <td>{formatPrice(p, i18n.language === 'id' ? 'id-ID' : 'en-US')}</td>
                  <td>{p.stock ?? '—'}</td>
                  <td>
                    <button
                      type="button"
                      className="link-button link-button--danger"
                      onClick={() =>
                        void aiApi.deleteProduct(agent.id, p.id).then(load, (err: unknown) => toast(problemText(t, err), 'error'))
                      }
                    >
                      {t('aiAgents.remove')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section className="card">
        <h3 className="card__title">{t('aiAgents.products.add')}</h3>
        <form className="stack-form" onSubmit={add} noValidate>
          {input('name', t('aiAgents.products.name'))}
          <div className="form-grid">
            {input('price', t('aiAgents.products.price'), 'number')}
            {input('stock', t('aiAgents.products.stock'), 'number')}
          </div>
          {input('sku', t('aiAgents.products.sku'))}
          {input('description', t('aiAgents.products.description'))}
          <div>
            <button type="submit" className="button button--secondary button--sm" data-testid="ai-product-add">
              <Icon name="plus" size={14} />
              {t('aiAgents.add')}
            </button>
          </div>
        </form>
        <h3 className="card__title">{t('aiAgents.products.import')}</h3>
        <form className="stack-form" onSubmit={importCsv}>
          <p className="muted">{t('aiAgents.products.importHint')}</p>
          <textarea
            className="field__input"
            rows={4}
            value={csv}
            placeholder={'name,sku,price,stock,description\nKopi Gayo 250g,GAYO-250,85000,12,Arabika'}
            onChange={(e) => setCsv(e.target.value)}
            aria-label={t('aiAgents.products.import')}
            data-testid="ai-product-csv"
          />
          <input
            type="file"
            accept=".csv,text/csv"
            aria-label={t('aiAgents.products.importFile')}
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void f.text().then(setCsv);
            }}
          />
          <div>
            <button type="submit" className="button button--secondary button--sm" disabled={!csv.trim()} data-testid="ai-product-import">
              <Icon name="upload" size={14} />
              {t('aiAgents.products.importButton')}
            </button>
          </div>
          {result ? (
            <div className="import-result" role="status" data-testid="ai-product-import-result">
              <p>{t('aiAgents.products.imported', { created: result.created, updated: result.updated })}</p>
              {result.errors.length ? (
                <ul className="import-result__errors">
                  {result.errors.map((e) => (
                    <li key={e.row} className="import-result__line">
                      {t('aiAgents.products.rowError', { row: e.row, message: e.message })}
                    </li>
                  ))}
                </ul>
              ) : null}
            </div>
          ) : null}
        </form>
      </section>
    </div>
  );
}
