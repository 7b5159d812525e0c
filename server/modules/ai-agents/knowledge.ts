// An AI agent's knowledge: sources (text, FAQ/QnA pairs, uploaded files, web pages) and products,
// cut into chunks that retrieval searches. Sources are processed by a durable job (status
// processing → ready, or failed with the reason); products are indexed as they are written. When
// the organization's endpoint has an embedding model, a second job embeds the new chunks.
import { IsNull, Not, type EntityManager } from 'typeorm';
import type { Services, TenantCtx } from '../../core/context.js';
import { scoped } from '../../core/tenancy.js';
import { badRequest, conflict, notFound, unprocessable } from '../../core/http/errors.js';
import { newId } from '../../core/ids.js';
import { lazy } from '../../core/lazy.js';
import { enqueueJob, PermanentJobError, type JobHandler } from '../../core/jobs/queue.js';
import { OutboundError } from '../../core/net/outbound.js';
import { recordActivity } from '../../core/audit.js';
import { readFile } from '../../core/storage/local.js';
import { chunkText } from '../../ai/chunking.js';
import { documentKind, documentText, ExtractError, htmlToText, pdfToText } from '../../ai/extract.js';
import { LlmError } from '../../ai/llm.js';
import { encodeVector } from '../../ai/vectors.js';
import type { ChunkKind } from '../../ai/retrieval.js';
import { MediaEntity } from '../media/media.entity.js';
import {
  AiAgentEntity,
  KnowledgeChunkEntity,
  KnowledgeSourceEntity,
  ProductEntity,
  QnaPairEntity,
  type AiAgent,
  type KnowledgeChunk,
  type KnowledgeSource,
  type Product,
  type QnaPair,
  type SourceType,
} from './ai-agents.entity.js';
import { agentChild, getAgent } from './lookups.js';
import { productRowSchema } from './ai-agents.schemas.js';
import { clientOf, endpointFor, recordUsage, retrieverFor } from './model.js';

const loadCsvParse = lazy(() => import('csv-parse/sync'));

export const PROCESS_SOURCE_JOB = 'ai-agents.process-source';
export const EMBED_JOB = 'ai-agents.embed';
export const MAX_TEXT_CHARS = 200_000;
export const MAX_BULK_PRODUCTS = 5000;
const PAGE_MAX_BYTES = 5 * 1024 * 1024;
const EMBED_BATCH = 32;

// ---- views ---------------------------------------------------------------------------------

export function sourceView(s: KnowledgeSource, qnaCount: number | null = null) {
  return {
    id: s.id,
    aiAgentId: s.aiAgentId,
    type: s.type,
    name: s.name,
    status: s.status,
    error: s.error,
    url: s.url,
    mediaId: s.mediaId,
    content: s.type === 'text' ? s.content : null,
    preview: s.content ? s.content.slice(0, 300) : null,
    chunkCount: s.chunkCount,
    charCount: s.charCount,
    qnaCount,
    processedAt: s.processedAt,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

export const qnaView = (q: QnaPair) => ({
  id: q.id,
  sourceId: q.sourceId,
  question: q.question,
  answer: q.answer,
  createdAt: q.createdAt,
  updatedAt: q.updatedAt,
});

export const productView = (p: Product) => ({
  id: p.id,
  aiAgentId: p.aiAgentId,
  name: p.name,
  sku: p.sku,
  description: p.description,
  price: Number(p.price),
  currency: p.currency,
  stock: p.stock,
  imageUrl: p.imageUrl,
  imageMediaId: p.imageMediaId,
  image: p.imageMediaId ? `/api/v1/media/${p.imageMediaId}` : p.imageUrl,
  active: p.active,
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
});

// ---- chunks --------------------------------------------------------------------------------

interface NewChunk {
  kind: ChunkKind;
  title: string | null;
  text: string;
  qnaId?: string | null;
}

/** Replaces the chunks of one source or product (the FTS index follows through triggers). */
async function replaceChunks(
  m: EntityManager,
  agent: Pick<AiAgent, 'id' | 'tenantId'>,
  owner: { sourceId: string } | { productId: string },
  chunks: NewChunk[],
  now: Date,
): Promise<void> {
  const repo = m.getRepository(KnowledgeChunkEntity);
  await repo.delete({ tenantId: agent.tenantId, ...owner });
  const rows: KnowledgeChunk[] = chunks.map((c, i) => ({
    id: newId(),
    tenantId: agent.tenantId,
    aiAgentId: agent.id,
    kind: c.kind,
    sourceId: 'sourceId' in owner ? owner.sourceId : null,
    productId: 'productId' in owner ? owner.productId : null,
    qnaId: c.qnaId ?? null,
    position: i,
    title: c.title?.slice(0, 300) ?? null,
    text: c.text,
    embedding: null,
    embeddingModel: null,
    createdAt: now,
  }));
  for (let i = 0; i < rows.length; i += 200) await repo.insert(rows.slice(i, i + 200) as never);
}

/** Queues embedding of the agent's new chunks when the organization's endpoint has an embedding model. */
async function queueEmbedding(services: Services, m: EntityManager, agent: Pick<AiAgent, 'id' | 'tenantId'>): Promise<void> {
  const endpoint = await endpointFor(services, agent.tenantId);
  if (!endpoint?.embeddingModel) return;
  await enqueueJob(m, EMBED_JOB, { aiAgentId: agent.id }, services.now(), {
    tenantId: agent.tenantId,
    queueKey: `ai-embed:${agent.id}`,
    maxAttempts: 8,
  });
}

const qnaChunk = (q: Pick<QnaPair, 'id' | 'question' | 'answer'>): NewChunk => ({
  kind: 'qna',
  title: q.question.slice(0, 300),
  text: `Q: ${q.question.trim()}\nA: ${q.answer.trim()}`,
  qnaId: q.id,
});

export function formatPrice(price: number, currency: string): string {
  try {
    return new Intl.NumberFormat('id-ID', { style: 'currency', currency, minimumFractionDigits: 0, maximumFractionDigits: 2 })
      .format(price)
      .replace(/\u00a0/g, ' ');
  } catch {
    return `${currency} ${price}`;
  }
}

function productChunk(p: Product): NewChunk {
  const lines = [`Produk: ${p.name}`, `Harga: ${formatPrice(Number(p.price), p.currency)}`];
  if (p.sku) lines.push(`SKU: ${p.sku}`);
  if (p.stock !== null) lines.push(p.stock > 0 ? `Stok: ${p.stock} tersedia` : 'Stok: habis');
  if (p.description?.trim()) lines.push(p.description.trim());
  return { kind: 'product', title: p.name, text: lines.join('\n') };
}

async function indexProduct(m: EntityManager, agent: Pick<AiAgent, 'id' | 'tenantId'>, p: Product, now: Date): Promise<void> {
  await replaceChunks(m, agent, { productId: p.id }, p.active ? [productChunk(p)] : [], now);
}

// ---- sources -------------------------------------------------------------------------------

export interface SourceInput {
  type: SourceType;
  name?: string;
  content?: string;
  url?: string;
  mediaId?: string;
  qna?: { question: string; answer: string }[];
}

async function startProcessing(ctx: Services & { tenantId?: string }, m: EntityManager, source: KnowledgeSource): Promise<void> {
  await enqueueJob(m, PROCESS_SOURCE_JOB, { sourceId: source.id }, ctx.now(), {
    tenantId: source.tenantId,
    queueKey: `ai-source:${source.id}`,
    maxAttempts: 4,
  });
}

async function qnaCounts(ctx: TenantCtx, sources: KnowledgeSource[]): Promise<Map<string, number>> {
  const ids = sources.filter((s) => s.type === 'qna').map((s) => s.id);
  if (ids.length === 0) return new Map();
  const rows: { sourceId: string; n: number | string }[] = await ctx.db
    .getRepository(QnaPairEntity)
    .createQueryBuilder('q')
    .select('q.sourceId', 'sourceId')
    .addSelect('COUNT(*)', 'n')
    .where('q.tenantId = :tenantId AND q.sourceId IN (:...ids)', { tenantId: ctx.tenantId, ids })
    .groupBy('q.sourceId')
    .getRawMany();
  return new Map(rows.map((r) => [r.sourceId, Number(r.n)]));
}

async function sourceViews(ctx: TenantCtx, rows: KnowledgeSource[]) {
  const counts = await qnaCounts(ctx, rows);
  return rows.map((s) => sourceView(s, s.type === 'qna' ? (counts.get(s.id) ?? 0) : null));
}

export const knowledge = {
  async listSources(ctx: TenantCtx, aiAgentId: string, q: { limit: number; cursor?: string; status?: string; type?: string }) {
    await getAgent(ctx, aiAgentId);
    const where: Record<string, unknown> = { aiAgentId };
    if (q.status) where.status = q.status;
    if (q.type) where.type = q.type;
    const page = await scoped(ctx, KnowledgeSourceEntity).page({ where, limit: q.limit, cursor: q.cursor });
    return { data: await sourceViews(ctx, page.data), nextCursor: page.nextCursor };
  },

  async getSource(ctx: TenantCtx, aiAgentId: string, sourceId: string) {
    await getAgent(ctx, aiAgentId);
    const source = await agentChild(ctx, KnowledgeSourceEntity, aiAgentId, sourceId, 'Knowledge source');
    return (await sourceViews(ctx, [source]))[0];
  },

  async addSource(ctx: TenantCtx, aiAgentId: string, input: SourceInput) {
    const agent = await getAgent(ctx, aiAgentId);
    const now = ctx.now();
    let name = input.name?.trim() ?? '';
    let content: string | null = null;
    let url: string | null = null;
    let mediaId: string | null = null;
    if (input.type === 'text') {
      if (!input.content?.trim())
        throw badRequest('A text source needs its text', [{ path: 'content', message: 'Required for type text' }]);
      content = input.content;
      name ||= input.content.trim().split('\n')[0].slice(0, 80);
    } else if (input.type === 'url') {
      if (!input.url) throw badRequest('A web page source needs its address', [{ path: 'url', message: 'Required for type url' }]);
      url = input.url;
      name ||= input.url.slice(0, 300);
    } else if (input.type === 'file') {
      if (!input.mediaId)
        throw badRequest('A file source needs an uploaded file (POST /api/v1/media first)', [
          { path: 'mediaId', message: 'Required for type file' },
        ]);
      const media = await scoped(ctx, MediaEntity).findOne({ id: input.mediaId });
      if (!media)
        throw unprocessable('The file does not exist; upload it first with POST /api/v1/media', [
          { path: 'mediaId', message: 'No such media' },
        ]);
      if (!documentKind(media.mimeType, media.filename))
        throw unprocessable(`A ${media.mimeType} file cannot be used as knowledge; upload a PDF, Word (.docx), text or CSV file`, [
          { path: 'mediaId', message: 'Unsupported file type' },
        ]);
      mediaId = media.id;
      name ||= media.filename ?? 'File';
    } else {
      name ||= 'FAQ';
    }
    if (input.type !== 'qna' && input.qna?.length)
      throw badRequest('QnA pairs belong to sources of type qna', [{ path: 'qna', message: 'Only for type qna' }]);
    const source: KnowledgeSource = {
      id: newId(),
      tenantId: ctx.tenantId,
      aiAgentId: agent.id,
      type: input.type,
      name: name.slice(0, 300),
      content,
      url,
      mediaId,
      status: 'processing',
      error: null,
      chunkCount: 0,
      charCount: content?.length ?? 0,
      processedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await ctx.transaction(async (m) => {
      await m.getRepository(KnowledgeSourceEntity).insert(source as never);
      const pairs = (input.qna ?? []).map((p) => ({
        id: newId(),
        tenantId: ctx.tenantId,
        aiAgentId: agent.id,
        sourceId: source.id,
        question: p.question,
        answer: p.answer,
        createdAt: now,
        updatedAt: now,
      }));
      for (let i = 0; i < pairs.length; i += 200) await m.getRepository(QnaPairEntity).insert(pairs.slice(i, i + 200) as never);
      await startProcessing(ctx, m, source);
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'ai_agent.knowledge_added',
        targetType: 'ai_agent',
        targetId: agent.id,
        details: { sourceId: source.id, type: source.type, name: source.name },
      });
    });
    return (await sourceViews(ctx, [source]))[0];
  },

  async removeSource(ctx: TenantCtx, aiAgentId: string, sourceId: string): Promise<void> {
    await getAgent(ctx, aiAgentId);
    const source = await agentChild(ctx, KnowledgeSourceEntity, aiAgentId, sourceId, 'Knowledge source');
    await ctx.transaction(async (m) => {
      await m.getRepository(KnowledgeChunkEntity).delete({ tenantId: ctx.tenantId, sourceId });
      await m.getRepository(QnaPairEntity).delete({ tenantId: ctx.tenantId, sourceId });
      await scoped(ctx, KnowledgeSourceEntity, m).remove(sourceId);
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'ai_agent.knowledge_removed',
        targetType: 'ai_agent',
        targetId: aiAgentId,
        details: { sourceId, type: source.type, name: source.name },
      });
    });
    retrieverFor(ctx).invalidate(aiAgentId);
  },

  async reprocess(ctx: TenantCtx, aiAgentId: string, sourceId: string) {
    await getAgent(ctx, aiAgentId);
    const source = await agentChild(ctx, KnowledgeSourceEntity, aiAgentId, sourceId, 'Knowledge source');
    if (source.status === 'processing') throw conflict('The source is already being processed; wait for it to finish');
    const patch = { status: 'processing' as const, error: null, updatedAt: ctx.now() };
    await ctx.transaction(async (m) => {
      await scoped(ctx, KnowledgeSourceEntity, m).update(sourceId, patch);
      await startProcessing(ctx, m, source);
    });
    return (await sourceViews(ctx, [{ ...source, ...patch }]))[0];
  },

  async listQna(ctx: TenantCtx, aiAgentId: string, sourceId: string, q: { limit: number; cursor?: string }) {
    await getAgent(ctx, aiAgentId);
    await agentChild(ctx, KnowledgeSourceEntity, aiAgentId, sourceId, 'Knowledge source');
    const page = await scoped(ctx, QnaPairEntity).page({ where: { sourceId }, limit: q.limit, cursor: q.cursor });
    return { data: page.data.map(qnaView), nextCursor: page.nextCursor };
  },

  async addQna(ctx: TenantCtx, aiAgentId: string, sourceId: string, input: { question: string; answer: string }) {
    await getAgent(ctx, aiAgentId);
    const source = await agentChild(ctx, KnowledgeSourceEntity, aiAgentId, sourceId, 'Knowledge source');
    if (source.type !== 'qna')
      throw unprocessable(`QnA pairs belong to FAQ sources; this source is of type ${source.type}`, [
        { path: 'sourceId', message: 'Not a qna source' },
      ]);
    const now = ctx.now();
    const pair = await ctx.transaction(async (m) => {
      const row = await scoped(ctx, QnaPairEntity, m).insert({
        aiAgentId,
        sourceId,
        question: input.question,
        answer: input.answer,
        createdAt: now,
        updatedAt: now,
      });
      await scoped(ctx, KnowledgeSourceEntity, m).update(sourceId, { status: 'processing', error: null, updatedAt: now });
      await startProcessing(ctx, m, source);
      return row;
    });
    return qnaView(pair);
  },

  async removeQna(ctx: TenantCtx, aiAgentId: string, sourceId: string, qnaId: string): Promise<void> {
    await getAgent(ctx, aiAgentId);
    const source = await agentChild(ctx, KnowledgeSourceEntity, aiAgentId, sourceId, 'Knowledge source');
    const pair = await agentChild(ctx, QnaPairEntity, aiAgentId, qnaId, 'QnA pair');
    if (pair.sourceId !== sourceId) throw notFound('QnA pair');
    await ctx.transaction(async (m) => {
      await m.getRepository(KnowledgeChunkEntity).delete({ tenantId: ctx.tenantId, qnaId });
      await scoped(ctx, QnaPairEntity, m).remove(qnaId);
      await scoped(ctx, KnowledgeSourceEntity, m).update(sourceId, {
        chunkCount: Math.max(0, source.chunkCount - 1),
        updatedAt: ctx.now(),
      });
    });
    retrieverFor(ctx).invalidate(aiAgentId);
  },

  // ---- products ----

  async listProducts(ctx: TenantCtx, aiAgentId: string, q: { limit: number; cursor?: string; search?: string }) {
    await getAgent(ctx, aiAgentId);
    if (q.search) {
      const needle = `%${q.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const qb = ctx.db
        .getRepository(ProductEntity)
        .createQueryBuilder('p')
        .where('p.tenantId = :tenantId AND p.aiAgentId = :aiAgentId', { tenantId: ctx.tenantId, aiAgentId })
        .andWhere("(LOWER(p.name) LIKE :needle ESCAPE '\\' OR LOWER(COALESCE(p.sku, '')) LIKE :needle ESCAPE '\\')", { needle });
      if (q.cursor) qb.andWhere('p.id < :cursor', { cursor: q.cursor });
      const rows = await qb
        .orderBy('p.id', 'DESC')
        .take(q.limit + 1)
        .getMany();
      const more = rows.length > q.limit;
      const data = more ? rows.slice(0, q.limit) : rows;
      return { data: data.map(productView), nextCursor: more ? data[data.length - 1].id : null };
    }
    const page = await scoped(ctx, ProductEntity).page({ where: { aiAgentId }, limit: q.limit, cursor: q.cursor });
    return { data: page.data.map(productView), nextCursor: page.nextCursor };
  },

  async createProduct(ctx: TenantCtx, aiAgentId: string, input: ProductInput) {
    const agent = await getAgent(ctx, aiAgentId);
    await checkImage(ctx, input.imageMediaId);
    await checkSkuFree(ctx, aiAgentId, input.sku ?? null);
    const now = ctx.now();
    const product = await ctx.transaction(async (m) => {
      const row = await scoped(ctx, ProductEntity, m).insert(newProduct(input, aiAgentId, now));
      await indexProduct(m, agent, row, now);
      await queueEmbedding(ctx, m, agent);
      return row;
    });
    retrieverFor(ctx).invalidate(aiAgentId);
    return productView(product);
  },

  async updateProduct(ctx: TenantCtx, aiAgentId: string, productId: string, input: Partial<ProductInput>) {
    const agent = await getAgent(ctx, aiAgentId);
    const product = await agentChild(ctx, ProductEntity, aiAgentId, productId, 'Product');
    if (input.imageMediaId !== undefined) await checkImage(ctx, input.imageMediaId);
    if (input.sku !== undefined && input.sku !== product.sku) await checkSkuFree(ctx, aiAgentId, input.sku ?? null, productId);
    const now = ctx.now();
    const patch: Partial<Product> = { updatedAt: now };
    for (const key of ['name', 'sku', 'description', 'price', 'currency', 'stock', 'imageUrl', 'imageMediaId', 'active'] as const) {
      if (input[key] !== undefined) (patch as Record<string, unknown>)[key] = input[key];
    }
    const updated = { ...product, ...patch };
    await ctx.transaction(async (m) => {
      await scoped(ctx, ProductEntity, m).update(productId, patch);
      await indexProduct(m, agent, updated, now);
      await queueEmbedding(ctx, m, agent);
    });
    retrieverFor(ctx).invalidate(aiAgentId);
    return productView(updated);
  },

  async removeProduct(ctx: TenantCtx, aiAgentId: string, productId: string): Promise<void> {
    await getAgent(ctx, aiAgentId);
    await agentChild(ctx, ProductEntity, aiAgentId, productId, 'Product');
    await ctx.transaction(async (m) => {
      await m.getRepository(KnowledgeChunkEntity).delete({ tenantId: ctx.tenantId, productId });
      await scoped(ctx, ProductEntity, m).remove(productId);
    });
    retrieverFor(ctx).invalidate(aiAgentId);
  },

  /**
   * Creates or updates many products at once (matched by SKU, else by name, case-insensitive), from
   * JSON rows or CSV text. Bad rows are reported by row number and skipped; the good ones are saved.
   */
  async bulkProducts(ctx: TenantCtx, aiAgentId: string, input: { products?: unknown[]; csv?: string }) {
    const agent = await getAgent(ctx, aiAgentId);
    if (!input.products && !input.csv)
      throw badRequest('Send products (JSON rows) or csv (CSV text)', [
        { path: 'products', message: 'Give products or csv' },
        { path: 'csv', message: 'Give products or csv' },
      ]);
    let rows: unknown[] = input.products ?? [];
    let firstRow = 1;
    if (input.csv !== undefined) {
      const { parse } = await loadCsvParse();
      try {
        rows = parse(input.csv, { columns: (h: string[]) => h.map((c) => c.trim()), bom: true, skip_empty_lines: true, trim: true });
      } catch (err) {
        throw unprocessable(`The CSV could not be read: ${(err as Error).message}`, [{ path: 'csv', message: 'Not valid CSV' }]);
      }
      // CSV rows are numbered as lines of the file (the header is line 1).
      firstRow = 2;
    }
    if (rows.length > MAX_BULK_PRODUCTS)
      throw unprocessable(`At most ${MAX_BULK_PRODUCTS} products at once`, [
        { path: input.csv ? 'csv' : 'products', message: 'Too many rows' },
      ]);
    const errors: { row: number; message: string }[] = [];
    const parsed: { row: number; input: ProductInput }[] = [];
    rows.forEach((raw, i) => {
      const result = productRowSchema.safeParse(raw);
      if (result.success) parsed.push({ row: i + firstRow, input: result.data });
      else
        errors.push({
          row: i + firstRow,
          message: result.error.issues.map((iss) => `${iss.path.join('.') || 'row'}: ${iss.message}`).join('; '),
        });
    });
    const existing = await scoped(ctx, ProductEntity).find({ aiAgentId });
    const bySku = new Map(existing.filter((p) => p.sku).map((p) => [p.sku!.toLowerCase(), p]));
    const byName = new Map(existing.map((p) => [p.name.toLowerCase(), p]));
    let created = 0;
    let updated = 0;
    const now = ctx.now();
    await ctx.transaction(async (m) => {
      for (const { input: row } of parsed) {
        const match = (row.sku ? bySku.get(row.sku.toLowerCase()) : undefined) ?? byName.get(row.name.toLowerCase());
        let product: Product;
        if (match) {
          product = { ...match, ...definedOnly(row), updatedAt: now };
          await scoped(ctx, ProductEntity, m).update(match.id, { ...definedOnly(row), updatedAt: now });
          updated++;
        } else {
          product = await scoped(ctx, ProductEntity, m).insert(newProduct(row, aiAgentId, now));
          created++;
        }
        if (product.sku) bySku.set(product.sku.toLowerCase(), product);
        byName.set(product.name.toLowerCase(), product);
        await indexProduct(m, agent, product, now);
      }
      await queueEmbedding(ctx, m, agent);
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'ai_agent.products_imported',
        targetType: 'ai_agent',
        targetId: aiAgentId,
        details: { created, updated, errors: errors.length },
      });
    });
    retrieverFor(ctx).invalidate(aiAgentId);
    return { created, updated, errors };
  },
};

export interface ProductInput {
  name: string;
  sku?: string | null;
  description?: string | null;
  price: number;
  currency?: string;
  stock?: number | null;
  imageUrl?: string | null;
  imageMediaId?: string | null;
  active?: boolean;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function newProduct(input: ProductInput, aiAgentId: string, now: Date): Omit<Product, 'id' | 'tenantId'> {
  return {
    aiAgentId,
    name: input.name,
    sku: input.sku ?? null,
    description: input.description ?? null,
    price: input.price,
    currency: input.currency ?? 'IDR',
    stock: input.stock ?? null,
    imageUrl: input.imageUrl ?? null,
    imageMediaId: input.imageMediaId ?? null,
    active: input.active ?? true,
    createdAt: now,
    updatedAt: now,
  };
}

async function checkImage(ctx: TenantCtx, mediaId: string | null | undefined): Promise<void> {
  if (!mediaId) return;
  const media = await scoped(ctx, MediaEntity).findOne({ id: mediaId });
  if (!media)
    throw unprocessable('The image does not exist; upload it first with POST /api/v1/media', [
      { path: 'imageMediaId', message: 'No such media' },
    ]);
  if (!media.mimeType.startsWith('image/'))
    throw unprocessable('The product image must be an image', [{ path: 'imageMediaId', message: 'Not an image' }]);
}

async function checkSkuFree(ctx: TenantCtx, aiAgentId: string, sku: string | null, exceptId?: string): Promise<void> {
  if (!sku) return;
  const same = (await scoped(ctx, ProductEntity).find({ aiAgentId, sku: Not(IsNull()) })).find(
    (p) => p.sku!.toLowerCase() === sku.toLowerCase() && p.id !== exceptId,
  );
  if (same) throw conflict(`Another product already has the SKU "${sku}"`, [{ path: 'sku', message: 'Already used' }]);
}

// ---- background work -----------------------------------------------------------------------

/** A failure retrying cannot fix (the reason goes to the source's status). */
class SourceFailure extends Error {}

async function fetchPage(services: Services, url: string): Promise<{ title: string | null; text: string }> {
  let res;
  try {
    res = await services.outbound.fetch(url, {
      timeoutMs: 20_000,
      maxBytes: PAGE_MAX_BYTES,
      headers: { accept: 'text/html,text/plain,application/pdf;q=0.9,*/*;q=0.5' },
    });
  } catch (err) {
    if (
      err instanceof OutboundError &&
      (err.reason === 'address' || err.reason === 'scheme' || err.reason === 'too_large' || err.reason === 'redirect')
    )
      throw new SourceFailure(err.message);
    throw err;
  }
  if (res.status >= 400 && res.status < 500) throw new SourceFailure(`The page answered ${res.status}`);
  if (res.status >= 500) throw new Error(`The page answered ${res.status}`);
  const type = (res.headers.get('content-type') ?? '').toLowerCase();
  if (type.includes('application/pdf')) return { title: null, text: await pdfToText(res.body) };
  if (type.includes('text/plain')) return { title: null, text: res.text() };
  if (type.includes('html') || type === '') return htmlToText(res.text());
  throw new SourceFailure(`The page is of type ${type.split(';')[0]}, which cannot be read as text`);
}

/** The text and chunks of a source as it stands now. */
async function extract(services: Services, source: KnowledgeSource): Promise<{ content: string | null; chunks: NewChunk[] }> {
  const kind: ChunkKind = source.type;
  if (source.type === 'qna') {
    const pairs = await services.db
      .getRepository(QnaPairEntity)
      .find({ where: { tenantId: source.tenantId, sourceId: source.id }, order: { id: 'ASC' } });
    return { content: null, chunks: pairs.map(qnaChunk) };
  }
  let text: string;
  let title: string | null = source.name;
  if (source.type === 'text') text = source.content ?? '';
  else if (source.type === 'file') {
    const media = source.mediaId
      ? await services.db.getRepository(MediaEntity).findOne({ where: { id: source.mediaId, tenantId: source.tenantId } })
      : null;
    if (!media) throw new SourceFailure('The uploaded file no longer exists');
    const docKind = documentKind(media.mimeType, media.filename);
    if (!docKind) throw new SourceFailure(`A ${media.mimeType} file cannot be read as text`);
    const data = await readFile(services.config.dataDir, media.storageKey);
    if (!data) throw new SourceFailure('The uploaded file is missing from storage');
    text = await documentText(docKind, data);
  } else {
    const page = await fetchPage(services, source.url ?? '');
    text = page.text;
    title = page.title ?? source.name;
  }
  text = text.slice(0, MAX_TEXT_CHARS);
  if (!text.trim())
    throw new SourceFailure(source.type === 'file' ? 'No text was found in the file (a scanned PDF needs OCR first)' : 'No text was found');
  return { content: text, chunks: chunkText(text).map((t) => ({ kind, title, text: t })) };
}

async function markFailed(services: Services, source: KnowledgeSource, reason: string): Promise<void> {
  await services.transaction(async (m) => {
    await m.getRepository(KnowledgeChunkEntity).delete({ tenantId: source.tenantId, sourceId: source.id });
    await m
      .getRepository(KnowledgeSourceEntity)
      .update(
        { id: source.id },
        { status: 'failed', error: reason.slice(0, 1000), chunkCount: 0, processedAt: services.now(), updatedAt: services.now() },
      );
  });
  retrieverFor(services).invalidate(source.aiAgentId);
}

export function knowledgeJobs(services: Services): Record<string, JobHandler> {
  return {
    [PROCESS_SOURCE_JOB]: async (job) => {
      const source = await services.db.getRepository(KnowledgeSourceEntity).findOne({ where: { id: String(job.payload.sourceId) } });
      if (!source) return; // deleted meanwhile
      let result: Awaited<ReturnType<typeof extract>>;
      try {
        result = await extract(services, source);
      } catch (err) {
        if (err instanceof SourceFailure || err instanceof ExtractError) return markFailed(services, source, err.message);
        if (job.attempts >= job.maxAttempts)
          return markFailed(services, source, `Gave up after ${job.attempts} attempts: ${(err as Error).message}`);
        throw err; // network trouble: retried with backoff
      }
      const now = services.now();
      await services.transaction(async (m) => {
        // Deleted while we worked: nothing to write.
        if (!(await m.getRepository(KnowledgeSourceEntity).exists({ where: { id: source.id } }))) return;
        await replaceChunks(m, { id: source.aiAgentId, tenantId: source.tenantId }, { sourceId: source.id }, result.chunks, now);
        await m.getRepository(KnowledgeSourceEntity).update(
          { id: source.id },
          {
            status: 'ready',
            error: null,
            content: source.type === 'text' ? source.content : result.content,
            chunkCount: result.chunks.length,
            charCount: result.content?.length ?? result.chunks.reduce((n, c) => n + c.text.length, 0),
            processedAt: now,
            updatedAt: now,
          },
        );
        await queueEmbedding(services, m, { id: source.aiAgentId, tenantId: source.tenantId });
      });
      retrieverFor(services).invalidate(source.aiAgentId);
    },

    // Embeds the agent's chunks that have no vector of the current embedding model, in batches.
    [EMBED_JOB]: async (job) => {
      const agent = await services.db.getRepository(AiAgentEntity).findOne({ where: { id: String(job.payload.aiAgentId) } });
      if (!agent) return;
      const endpoint = await endpointFor(services, agent.tenantId);
      const model = endpoint?.embeddingModel;
      if (!endpoint || !model) return;
      const client = clientOf(services, endpoint);
      const repo = services.db.getRepository(KnowledgeChunkEntity);
      try {
        for (let round = 0; round < 200; round++) {
          const pending = await repo.find({
            where: [
              { tenantId: agent.tenantId, aiAgentId: agent.id, embeddingModel: IsNull() },
              { tenantId: agent.tenantId, aiAgentId: agent.id, embeddingModel: Not(model) },
            ],
            order: { id: 'ASC' },
            take: EMBED_BATCH,
          });
          if (pending.length === 0) break;
          let result;
          try {
            result = await client.embed(pending.map((c) => `${c.title ? `${c.title}\n` : ''}${c.text}`.slice(0, 8000)));
          } catch (err) {
            await recordUsage(services, {
              tenantId: agent.tenantId,
              aiAgentId: agent.id,
              kind: 'embedding',
              model,
              error: (err as Error).message,
            });
            // An endpoint without embeddings (404/400) will not grow them by retrying: full-text search goes on alone.
            if (
              err instanceof LlmError &&
              (err.kind === 'http' || err.kind === 'refused') &&
              err.status !== 429 &&
              (err.status ?? 500) < 500
            )
              throw new PermanentJobError(err.message);
            throw err;
          }
          await services.transaction(async (m) => {
            const chunks = m.getRepository(KnowledgeChunkEntity);
            for (let i = 0; i < pending.length; i++)
              await chunks.update({ id: pending[i].id }, { embedding: encodeVector(result.vectors[i]), embeddingModel: model });
            await recordUsage(services, { tenantId: agent.tenantId, aiAgentId: agent.id, kind: 'embedding', usage: result.usage }, m);
          });
        }
      } finally {
        retrieverFor(services).invalidate(agent.id);
      }
    },
  };
}

/** Every chunk of the agent whose embedding is missing (for the source list's warnings and tests). */
export async function unembeddedCount(services: Services, tenantId: string, aiAgentId: string): Promise<number> {
  return services.db.getRepository(KnowledgeChunkEntity).count({ where: { tenantId, aiAgentId, embedding: IsNull() } });
}
