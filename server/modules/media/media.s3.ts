// Uploads to an S3-compatible bucket (AWS S3, MinIO), configured by S3_* variables.
import { createHash } from 'node:crypto';
import type { Config } from '../../config.js';
import type { TenantCtx } from '../../core/context.js';
import { HttpError } from '../../core/http/errors.js';
import type { UploadedFile } from '../../core/http/registry.js';
import { newId } from '../../core/ids.js';
import { detectUpload, extensionFor, fixLatin1, sanitizeFilename } from './media.types.js';

const REQUIRED = ['S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const;

export interface S3Settings {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

/** The S3 settings, or the names of the variables still missing. */
export function s3Settings(config: Config): S3Settings | { missing: string[] } {
  const missing = REQUIRED.filter((name) => !config[name]);
  if (missing.length) return { missing };
  return {
    endpoint: config.S3_ENDPOINT!.replace(/\/+$/, ''),
    bucket: config.S3_BUCKET!,
    accessKeyId: config.S3_ACCESS_KEY_ID!,
    secretAccessKey: config.S3_SECRET_ACCESS_KEY!,
    region: config.S3_REGION ?? 'us-east-1',
  };
}

/** Throws 503 naming the variables to set when S3 is not configured. */
export function requireS3(config: Config): S3Settings {
  const settings = s3Settings(config);
  if ('missing' in settings) {
    throw new HttpError(
      503,
      `S3 storage is not configured: set ${REQUIRED.join(', ')} (and optionally S3_REGION, default us-east-1). Missing: ${settings.missing.join(', ')}`,
      {
        missing: settings.missing,
      },
    );
  }
  return settings;
}

/** `<tenantId>/<yyyy>/<mm>/<mediaId>-<filename>` (UTC). */
export function s3Key(tenantId: string, mediaId: string, filename: string, now: Date): string {
  return `${tenantId}/${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}/${mediaId}-${filename}`;
}

export async function uploadToS3(ctx: TenantCtx, file: UploadedFile) {
  const s3 = requireS3(ctx.config);
  const original = sanitizeFilename(fixLatin1(file.originalname));
  const { mimeType } = await detectUpload(file.buffer, file.mimetype, original);
  const filename = sanitizeFilename(original, mimeType) ?? `file${extensionFor(mimeType)}`;
  const key = s3Key(ctx.tenantId, newId(), filename, ctx.now());
  // Loaded on first use: the SDK takes a noticeable part of a second to import.
  const { PutObjectCommand, S3Client, S3ServiceException } = await import('@aws-sdk/client-s3');
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    // MinIO and older S3-compatible servers do not all accept the newer default checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 120_000 },
  });
  try {
    await client.send(
      new PutObjectCommand({
        Bucket: s3.bucket,
        Key: key,
        Body: file.buffer,
        ContentType: mimeType,
        ContentLength: file.buffer.length,
        Metadata: { sha256: createHash('sha256').update(file.buffer).digest('hex'), tenant: ctx.tenantId },
      }),
    );
  } catch (err) {
    ctx.log.warn({ err, bucket: s3.bucket, endpoint: s3.endpoint }, 'S3 upload failed');
    if (err instanceof S3ServiceException) {
      throw new HttpError(
        502,
        `The S3 server refused the upload (${err.name}${err.$metadata.httpStatusCode ? `, HTTP ${err.$metadata.httpStatusCode}` : ''}): ${err.message}`,
      );
    }
    throw new HttpError(502, `Could not reach the S3 server at ${s3.endpoint}: ${(err as Error).message || (err as Error).name}`);
  } finally {
    client.destroy();
  }
  const url = `${s3.endpoint}/${encodeURIComponent(s3.bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
  return { key, bucket: s3.bucket, url, size: file.buffer.length, mimeType };
}
