import { z } from 'zod';
import { access, defineRoute, type AnyRoute } from '../../core/http/registry.js';
import { idParam, timestamp } from '../../core/http/schemas.js';
import { requireS3 } from './media.s3.js';
import { mediaService } from './media.service.js';
import { MAX_UPLOAD_BYTES } from './media.types.js';

const tag = 'Media';

const mediaSchema = z.object({
  id: z.string(),
  mimeType: z.string().describe('The type found from the bytes (images) or checked against them'),
  size: z.number().int().describe('Bytes'),
  filename: z.string().nullable(),
  width: z.number().int().nullable().describe('Images: width in pixels, upright'),
  height: z.number().int().nullable().describe('Images: height in pixels, upright'),
  hasThumbnail: z.boolean(),
  url: z.string().describe('Where to download the file'),
  thumbnailUrl: z.string().nullable().describe('Where to download the 320 px WebP thumbnail, for images'),
  createdAt: timestamp,
});

const flag = (description: string) =>
  z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => v === 'true' || v === '1')
    .describe(description);

const limits =
  "Accepted, with WhatsApp's limits: images (JPEG, PNG, WebP) up to 5 MB; video (MP4, 3GPP) and audio (AAC, MP4, MPEG, AMR, OGG) up to 16 MB; " +
  'documents (PDF, Word, Excel, PowerPoint, OpenDocument, plain text, CSV, ZIP) up to 100 MB. The type is read from the bytes where they tell it ' +
  "(images always); a file over its type's limit is refused with 413 and an unaccepted type with 415, both naming `file`.";

// The route upload limit is the largest of any type; each type's own limit is checked by the service.
const upload = { field: 'file', maxBytes: MAX_UPLOAD_BYTES };

export const mediaRoutes: AnyRoute[] = [
  defineRoute({
    method: 'post',
    path: '/api/v1/media',
    tag,
    summary: 'Upload a media file',
    access: access.tenant('messages.send'),
    status: 201,
    description: `Send the file as multipart/form-data in the field \`file\`; the original file name is kept (cleaned). ${limits}`,
    upload,
    response: mediaSchema,
    // The registry refuses a request without the file, so `file` is always set here.
    handler: ({ ctx, file }) => mediaService.upload(ctx, file!),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/media/{mediaId}',
    tag,
    summary: 'Download or proxy a media file',
    access: access.tenant('conversations.view'),
    description:
      "Answers the file's bytes (not JSON) with its Content-Type and Content-Length; `Content-Disposition` is inline for images, video and audio and " +
      'attachment for other files; `Cache-Control: private, max-age=86400`; the ETag is the SHA-256 of the bytes (If-None-Match answers 304); byte ranges are supported.',
    params: idParam('mediaId'),
    query: z.object({
      thumbnail: flag('true: the WebP thumbnail instead of the file (404 when the file has none)'),
      download: flag('true: always Content-Disposition: attachment'),
    }),
    handler: async ({ ctx, params, query, req, res }) => {
      await mediaService.download(ctx, params.mediaId, query, req, res);
      return undefined;
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/media/s3',
    tag,
    summary: 'Upload a file to S3/MinIO',
    access: access.tenant('messages.send'),
    status: 201,
    description:
      'Stores the file (multipart field `file`, same types and limits as POST /api/v1/media) in the configured S3-compatible bucket under ' +
      '`<tenantId>/<yyyy>/<mm>/<id>-<filename>`. Answers 503 when S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY are not all set, ' +
      'and 502 when the S3 server cannot be reached or refuses the upload.',
    upload,
    response: z.object({
      key: z.string(),
      bucket: z.string(),
      url: z.string().describe('Path-style object URL on the S3 endpoint'),
      size: z.number().int(),
      mimeType: z.string(),
    }),
    // Refuse before reading a (possibly large) upload when there is nowhere to put it.
    precheck: (ctx) => {
      requireS3(ctx.config);
    },
    handler: ({ ctx, file }) => mediaService.uploadToS3(ctx, file!),
  }),
];
