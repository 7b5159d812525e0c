// Media: files agents upload and files customers send through a channel. Bytes live in local
// storage (DATA_DIR/media) under generated keys; images get a small WebP thumbnail beside them.
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Services, TenantCtx } from '../../core/context.js';
import { In } from 'typeorm';
import { HttpError, notFound } from '../../core/http/errors.js';
import { canSee, conversationScope } from '../divisions/visibility.service.js';
import { MessageEntity } from '../messages/message.entity.js';
import { ConversationEntity } from '../conversations/conversation.entity.js';
import type { UploadedFile } from '../../core/http/registry.js';
import { emitEvent } from '../../core/events/outbox.js';
import { newId } from '../../core/ids.js';
import { scoped } from '../../core/tenancy.js';
import { newStorageKey, openFile, removeFile, saveFile, storageFile } from '../../core/storage/local.js';
import { MediaEntity, type Media } from './media.entity.js';
import {
  detectUpload,
  extensionFor,
  fixLatin1,
  loadSharp,
  normalizeMimeType,
  probeImage,
  sanitizeFilename,
  sniff,
  type ImageInfo,
} from './media.types.js';
import { uploadToS3 } from './media.s3.js';

/** Longest side of a thumbnail, in pixels. */
export const THUMBNAIL_SIZE = 320;

export interface SaveMediaInput {
  tenantId: string;
  data: Buffer;
  mimeType: string;
  filename?: string | null;
  source: 'upload' | 'inbound';
  channel?: string | null;
  externalId?: string | null;
  uploadedById?: string | null;
}

export interface MediaView {
  id: string;
  mimeType: string;
  size: number;
  filename: string | null;
  width: number | null;
  height: number | null;
  hasThumbnail: boolean;
  url: string;
  thumbnailUrl: string | null;
  createdAt: Date;
}

export function mediaView(media: Media): MediaView {
  return {
    id: media.id,
    mimeType: media.mimeType,
    size: media.size,
    filename: media.filename,
    width: media.width,
    height: media.height,
    hasThumbnail: Boolean(media.thumbnailKey),
    url: `/api/v1/media/${media.id}`,
    thumbnailUrl: media.thumbnailKey ? `/api/v1/media/${media.id}?thumbnail=true` : null,
    createdAt: media.createdAt,
  };
}

/** A WebP of at most THUMBNAIL_SIZE px on the long side, turned upright by its EXIF orientation. */
export async function makeThumbnail(data: Buffer): Promise<Buffer> {
  const sharp = await loadSharp();
  return sharp(data, { failOn: 'error' })
    .autoOrient()
    .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 75 })
    .toBuffer();
}

/**
 * Stores a file and records it: the bytes under DATA_DIR/media, their SHA-256, for raster images
 * their real type, upright size and a thumbnail; then the Media row (and a `media.created` event).
 * Used by uploads and by channel adapters when an inbound file has been downloaded. An inbound
 * file whose channel media id was already saved for the tenant returns the existing row.
 */
export async function saveMedia(services: Services, input: SaveMediaInput, known?: { image: ImageInfo | null }): Promise<Media> {
  const repo = services.db.getRepository(MediaEntity);
  if (input.source === 'inbound' && input.channel && input.externalId) {
    const existing = await repo.findOne({ where: { tenantId: input.tenantId, channel: input.channel, externalId: input.externalId } });
    if (existing) return existing;
  }
  const data = input.data;
  const declared = normalizeMimeType(input.mimeType);
  const image = known ? known.image : sniff(data)?.kind === 'image' || declared?.startsWith('image/') ? await probeImage(data) : null;
  const mimeType = image?.mimeType ?? declared ?? 'application/octet-stream';
  const id = newId();
  const now = services.now();
  const { dataDir } = services.config;
  const storageKey = newStorageKey(input.tenantId, id, extensionFor(mimeType), now);
  const written = [storageKey];
  try {
    await saveFile(dataDir, storageKey, data);
    let thumbnailKey: string | null = null;
    if (image) {
      try {
        const thumb = await makeThumbnail(data);
        thumbnailKey = newStorageKey(input.tenantId, `${id}.thumb`, '.webp', now);
        await saveFile(dataDir, thumbnailKey, thumb);
        written.push(thumbnailKey);
      } catch (err) {
        // The file is still worth keeping without a preview.
        services.log.warn({ err, tenantId: input.tenantId, mediaId: id }, 'could not make a thumbnail');
        thumbnailKey = null;
      }
    }
    const row: Media = {
      id,
      tenantId: input.tenantId,
      source: input.source,
      channel: input.channel ?? null,
      externalId: input.externalId ?? null,
      mimeType,
      size: data.length,
      filename: sanitizeFilename(input.filename, mimeType),
      sha256: createHash('sha256').update(data).digest('hex'),
      storageKey,
      thumbnailKey,
      width: image?.width ?? null,
      height: image?.height ?? null,
      uploadedById: input.uploadedById ?? null,
      createdAt: now,
    };
    await services.transaction(async (m) => {
      await m.getRepository(MediaEntity).insert(row);
      await emitEvent(
        m,
        { tenantId: input.tenantId, type: 'media.created', payload: { mediaId: id, source: row.source, channel: row.channel, mimeType } },
        now,
      );
    });
    return row;
  } catch (err) {
    await Promise.all(written.map((key) => removeFile(dataDir, key).catch(() => undefined)));
    throw err;
  }
}

/** Types a browser may show in place; everything else downloads. */
const INLINE_TYPES = new Set([
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'video/mp4',
  'video/3gpp',
  'audio/aac',
  'audio/mp4',
  'audio/mpeg',
  'audio/amr',
  'audio/ogg',
]);

/** RFC 6266: an ASCII fallback plus the UTF-8 name when it is not plain ASCII. */
export function contentDisposition(type: 'inline' | 'attachment', filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%]/g, '_');
  if (ascii === filename) return `${type}; filename="${ascii}"`;
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

const SENT_HEADERS = ['Content-Type', 'Content-Disposition', 'Cache-Control', 'ETag', 'Content-Security-Policy'];

function sendStored(res: Response, root: string, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    res.sendFile(path, { root, etag: false, lastModified: false, cacheControl: false, acceptRanges: true, dotfiles: 'deny' }, (err) =>
      err ? reject(err) : resolve(),
    );
  });
}

/**
 * Division visibility holds for files too: a file attached to messages is visible only to those who
 * may see one of their conversations (404 otherwise, as for the conversation itself). An inbound
 * file nobody's message holds is not shown to people with a restricted view; an upload not yet sent
 * is the team's.
 */
async function assertMediaVisible(ctx: TenantCtx, media: Media): Promise<void> {
  const scope = await conversationScope(ctx);
  if (scope === null) return;
  const messages = ctx.db.getRepository(MessageEntity);
  let conversationIds = (
    await messages.find({ where: { tenantId: ctx.tenantId, mediaId: media.id }, select: { conversationId: true }, take: 100 })
  ).map((m) => m.conversationId);
  if (conversationIds.length === 0 && media.source === 'inbound') {
    // An email's second and later attachments are named only in its content.
    const rows: { conversationId: string }[] = await messages
      .createQueryBuilder('m')
      .select('m.conversationId', 'conversationId')
      .where('m.tenantId = :tenantId AND m.content LIKE :needle', { tenantId: ctx.tenantId, needle: `%${media.id}%` })
      .limit(100)
      .getRawMany();
    conversationIds = rows.map((r) => r.conversationId);
  }
  if (conversationIds.length === 0) {
    if (media.source === 'upload') return;
    throw notFound('Media');
  }
  const conversations = await ctx.db.getRepository(ConversationEntity).find({
    where: { tenantId: ctx.tenantId, id: In([...new Set(conversationIds)]) },
    select: { id: true, divisionId: true, assigneeId: true },
  });
  if (!conversations.some((c) => canSee(scope, c))) throw notFound('Media');
}

export const mediaService = {
  async upload(ctx: TenantCtx, file: UploadedFile): Promise<MediaView> {
    const original = sanitizeFilename(fixLatin1(file.originalname));
    const detected = await detectUpload(file.buffer, file.mimetype, original);
    const media = await saveMedia(
      ctx,
      {
        tenantId: ctx.tenantId,
        data: file.buffer,
        mimeType: detected.mimeType,
        filename: original ?? `file${extensionFor(detected.mimeType)}`,
        source: 'upload',
        uploadedById: ctx.principal.userId,
      },
      { image: detected.image },
    );
    return mediaView(media);
  },

  /** Sends the stored bytes (or the thumbnail) with type, length, disposition, caching and range support. */
  async download(ctx: TenantCtx, id: string, opts: { thumbnail: boolean; download: boolean }, req: Request, res: Response): Promise<void> {
    const media = await scoped(ctx, MediaEntity).get(id, 'Media');
    await assertMediaVisible(ctx, media);
    const key = opts.thumbnail ? media.thumbnailKey : media.storageKey;
    if (!key) throw new HttpError(404, 'This media has no thumbnail');
    const stored = await openFile(ctx.config.dataDir, key);
    if (!stored) {
      ctx.log.warn({ mediaId: media.id, key }, 'media file missing from storage');
      throw new HttpError(404, 'The media file is missing from storage');
    }
    const type = opts.thumbnail ? 'image/webp' : media.mimeType;
    const base = media.filename ?? `media-${media.id}${extensionFor(media.mimeType)}`;
    const filename = opts.thumbnail ? `${base.replace(/\.[A-Za-z0-9]{1,10}$/, '')}-thumbnail.webp` : base;
    const disposition = !opts.download && INLINE_TYPES.has(type) ? 'inline' : 'attachment';
    res.setHeader('Content-Type', type);
    res.setHeader('Content-Disposition', contentDisposition(disposition, filename));
    res.setHeader('Cache-Control', 'private, max-age=86400');
    res.setHeader('ETag', `"${media.sha256}${opts.thumbnail ? '-thumbnail' : ''}"`);
    // Stored files are data, never a page that could run script on this origin.
    res.setHeader('Content-Security-Policy', "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox");
    const { root, path } = storageFile(ctx.config.dataDir, key);
    try {
      await sendStored(res, root, path);
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { status?: number };
      if (res.headersSent || e.code === 'ECONNABORTED' || req.destroyed) return;
      for (const header of SENT_HEADERS) res.removeHeader(header);
      if (e.status === 404 || e.code === 'ENOENT') throw new HttpError(404, 'The media file is missing from storage');
      if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) throw new HttpError(e.status, e.message);
      throw err;
    }
  },

  async uploadToS3(ctx: TenantCtx, file: UploadedFile) {
    return uploadToS3(ctx, file);
  },
};
