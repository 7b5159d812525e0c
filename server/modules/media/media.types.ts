// Which files may be uploaded (WhatsApp's types and limits), how their real type is found from
// the bytes, and how their names are cleaned.
import { lazy } from '../../core/lazy.js';
import { HttpError, badRequest } from '../../core/http/errors.js';

const MB = 1024 * 1024;

export type MediaKind = 'image' | 'video' | 'audio' | 'document';

/** Largest file of each kind (WhatsApp Cloud API limits). */
export const KIND_LIMITS: Record<MediaKind, number> = { image: 5 * MB, video: 16 * MB, audio: 16 * MB, document: 100 * MB };

/** The largest upload of any kind: the routes' multipart limit. */
export const MAX_UPLOAD_BYTES = KIND_LIMITS.document;

/** Accepted types, their kind and known file extensions (the first is the canonical one). */
export const UPLOAD_TYPES: Record<string, { kind: MediaKind; exts: string[] }> = {
  'image/jpeg': { kind: 'image', exts: ['.jpg', '.jpeg', '.jpe', '.jfif'] },
  'image/png': { kind: 'image', exts: ['.png'] },
  'image/webp': { kind: 'image', exts: ['.webp'] },
  'video/mp4': { kind: 'video', exts: ['.mp4', '.m4v'] },
  'video/3gpp': { kind: 'video', exts: ['.3gp', '.3gpp'] },
  'audio/aac': { kind: 'audio', exts: ['.aac'] },
  'audio/mp4': { kind: 'audio', exts: ['.m4a', '.mp4'] },
  'audio/mpeg': { kind: 'audio', exts: ['.mp3', '.mpga'] },
  'audio/amr': { kind: 'audio', exts: ['.amr'] },
  'audio/ogg': { kind: 'audio', exts: ['.ogg', '.oga', '.opus'] },
  'application/pdf': { kind: 'document', exts: ['.pdf'] },
  'application/msword': { kind: 'document', exts: ['.doc', '.dot'] },
  'application/vnd.ms-excel': { kind: 'document', exts: ['.xls', '.xlt'] },
  'application/vnd.ms-powerpoint': { kind: 'document', exts: ['.ppt', '.pps', '.pot'] },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': { kind: 'document', exts: ['.docx'] },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { kind: 'document', exts: ['.xlsx'] },
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': { kind: 'document', exts: ['.pptx'] },
  'application/vnd.oasis.opendocument.text': { kind: 'document', exts: ['.odt'] },
  'application/vnd.oasis.opendocument.spreadsheet': { kind: 'document', exts: ['.ods'] },
  'application/vnd.oasis.opendocument.presentation': { kind: 'document', exts: ['.odp'] },
  'application/zip': { kind: 'document', exts: ['.zip'] },
  'text/plain': { kind: 'document', exts: ['.txt'] },
  'text/csv': { kind: 'document', exts: ['.csv'] },
};

const ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'audio/mp3': 'audio/mpeg',
  'audio/x-mp3': 'audio/mpeg',
  'audio/mpeg3': 'audio/mpeg',
  'audio/x-m4a': 'audio/mp4',
  'audio/m4a': 'audio/mp4',
  'audio/x-aac': 'audio/aac',
  'audio/aacp': 'audio/aac',
  'audio/opus': 'audio/ogg',
  'application/x-zip-compressed': 'application/zip',
  'application/x-zip': 'application/zip',
  'text/comma-separated-values': 'text/csv',
  'application/csv': 'text/csv',
  'text/x-csv': 'text/csv',
  'application/x-pdf': 'application/pdf',
};

/** "Image/JPG; charset=x" → "image/jpeg"; anything that is not a type/subtype token → null. */
export function normalizeMimeType(value: string | null | undefined): string | null {
  const base = (value ?? '').split(';')[0].trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,84}$/.test(base)) return null;
  return ALIASES[base] ?? base;
}

const extOf = (filename: string | null | undefined): string => {
  const m = /\.[A-Za-z0-9]{1,10}$/.exec(filename ?? '');
  return m ? m[0].toLowerCase() : '';
};

/** The accepted type a file extension stands for, if any. */
export function typeForExtension(filename: string | null | undefined): string | null {
  const ext = extOf(filename);
  if (!ext) return null;
  for (const [type, spec] of Object.entries(UPLOAD_TYPES)) if (spec.exts.includes(ext)) return type;
  return null;
}

/** The extension a stored file of this type gets (".bin" when unknown). */
export function extensionFor(mimeType: string): string {
  return UPLOAD_TYPES[mimeType]?.exts[0] ?? EXTRA_EXTS[mimeType] ?? '.bin';
}
const EXTRA_EXTS: Record<string, string> = {
  'image/gif': '.gif',
  'video/webm': '.webm',
  'audio/wav': '.wav',
  'image/heic': '.heic',
  'image/avif': '.avif',
};

/** Raster images the server decodes (for dimensions and thumbnails). */
const RASTER_FORMATS: Record<string, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif' };

export interface ImageInfo {
  mimeType: string;
  width: number;
  height: number;
}

/** sharp (libvips), imported when the first image is read. */
export const loadSharp = lazy(async () => (await import('sharp')).default);

/** Reads an image's real format and its displayed size (EXIF rotation applied); null when the bytes are not a raster image sharp can read. */
export async function probeImage(data: Buffer): Promise<ImageInfo | null> {
  // Outside the try: sharp failing to load is an error, not "not an image".
  const sharp = await loadSharp();
  try {
    const meta = await sharp(data).metadata();
    const mimeType = RASTER_FORMATS[meta.format];
    if (!mimeType || !meta.width || !meta.height) return null;
    return { mimeType, width: meta.autoOrient?.width ?? meta.width, height: meta.autoOrient?.height ?? meta.height };
  } catch {
    return null;
  }
}

/** What the first bytes say a file is. */
type Sniffed =
  | { kind: 'image' }
  | { kind: 'type'; mimeType: string }
  | { kind: 'mp4'; brand: string }
  | { kind: 'zip' }
  | { kind: 'ole' }
  | { kind: 'refused'; what: string }
  | null;

const startsWith = (data: Buffer, bytes: number[] | string, offset = 0) => {
  const b = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes);
  return data.length >= offset + b.length && data.subarray(offset, offset + b.length).equals(b);
};

export function sniff(data: Buffer): Sniffed {
  // Images (sharp decides what they really are).
  if (
    startsWith(data, [0xff, 0xd8, 0xff]) ||
    startsWith(data, [0x89, 0x50, 0x4e, 0x47]) ||
    (startsWith(data, 'RIFF') && startsWith(data, 'WEBP', 8)) ||
    startsWith(data, 'GIF8') ||
    startsWith(data, 'BM') ||
    startsWith(data, [0x49, 0x49, 0x2a, 0x00]) ||
    startsWith(data, [0x4d, 0x4d, 0x00, 0x2a])
  ) {
    return { kind: 'image' };
  }
  // Programs and scripts, whatever they are called.
  if (startsWith(data, 'MZ')) return { kind: 'refused', what: 'a Windows program' };
  if (startsWith(data, [0x7f, 0x45, 0x4c, 0x46])) return { kind: 'refused', what: 'a Linux program' };
  if (
    startsWith(data, [0xcf, 0xfa, 0xed, 0xfe]) ||
    startsWith(data, [0xfe, 0xed, 0xfa, 0xcf]) ||
    startsWith(data, [0xca, 0xfe, 0xba, 0xbe])
  )
    return { kind: 'refused', what: 'a macOS program' };
  if (startsWith(data, '#!')) return { kind: 'refused', what: 'a script' };
  if (startsWith(data, '%PDF-')) return { kind: 'type', mimeType: 'application/pdf' };
  if (startsWith(data, 'OggS')) return { kind: 'type', mimeType: 'audio/ogg' };
  if (startsWith(data, '#!AMR')) return { kind: 'type', mimeType: 'audio/amr' };
  if (startsWith(data, 'ID3')) return { kind: 'type', mimeType: 'audio/mpeg' };
  if (startsWith(data, 'ftyp', 4)) return { kind: 'mp4', brand: data.subarray(8, 12).toString('latin1') };
  if (startsWith(data, [0x50, 0x4b, 0x03, 0x04]) || startsWith(data, [0x50, 0x4b, 0x05, 0x06])) return { kind: 'zip' };
  if (startsWith(data, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return { kind: 'ole' };
  if (data.length >= 2 && data[0] === 0xff && (data[1] & 0xf6) === 0xf0) return { kind: 'type', mimeType: 'audio/aac' }; // ADTS
  // An MPEG-1/2 Layer III frame header (not FF FE, a UTF-16 byte order mark).
  if (data.length >= 2 && data[0] === 0xff && (data[1] & 0xe6) === 0xe2 && (data[1] & 0x18) !== 0x08)
    return { kind: 'type', mimeType: 'audio/mpeg' };
  if (startsWith(data, 'RIFF')) return { kind: 'refused', what: 'a RIFF (WAV/AVI) file' };
  if (startsWith(data, [0x1a, 0x45, 0xdf, 0xa3])) return { kind: 'refused', what: 'a WebM/Matroska file' };
  if (startsWith(data, 'Rar!') || startsWith(data, [0x37, 0x7a, 0xbc, 0xaf]) || startsWith(data, [0x1f, 0x8b]))
    return { kind: 'refused', what: 'a RAR/7z/gzip archive' };
  if (startsWith(data, 'fLaC')) return { kind: 'refused', what: 'a FLAC file' };
  return null;
}

const fileError = (status: number, detail: string, message: string) =>
  new HttpError(status, detail, { errors: [{ path: 'file', message }] });

export const unsupportedType = (detail: string) => fileError(415, detail, 'Unsupported type');

const ZIP_TYPES = new Set([
  'application/zip',
  ...Object.keys(UPLOAD_TYPES).filter((t) => t.includes('openxmlformats') || t.includes('opendocument')),
]);
const OLE_TYPES = new Set(['application/msword', 'application/vnd.ms-excel', 'application/vnd.ms-powerpoint']);
const TEXT_TYPES = new Set(['text/plain', 'text/csv']);

export interface DetectedUpload {
  mimeType: string;
  kind: MediaKind;
  image: ImageInfo | null;
}

const ACCEPTED_LIST =
  'JPEG, PNG or WebP images; MP4 or 3GPP video; AAC, MP4, MP3, AMR or OGG audio; PDF, Office, OpenDocument, text, CSV or ZIP documents';

/**
 * The real type of an uploaded file, checked against the accepted types and the size limit of its
 * kind. The bytes win over the client's claim where they can tell (images always). Throws 415 or
 * 413 naming `file`.
 */
export async function detectUpload(data: Buffer, declared: string | null | undefined, filename: string | null): Promise<DetectedUpload> {
  if (data.length === 0) throw badRequest('The file is empty', [{ path: 'file', message: 'Empty file' }]);
  let claimed = normalizeMimeType(declared);
  if (!claimed || claimed === 'application/octet-stream') claimed = typeForExtension(filename) ?? claimed;
  const sniffed = sniff(data);
  let mimeType: string | null = null;
  let image: ImageInfo | null = null;

  if (sniffed?.kind === 'image' || claimed?.startsWith('image/')) {
    image = await probeImage(data);
    if (!image)
      throw unsupportedType(claimed?.startsWith('image/') ? 'The file is not a readable image' : 'The file is not a supported image');
    if (!UPLOAD_TYPES[image.mimeType]) throw unsupportedType(`Images must be JPEG, PNG or WebP; this one is ${image.mimeType}`);
    mimeType = image.mimeType;
  } else if (sniffed?.kind === 'refused') {
    throw unsupportedType(`This file is ${sniffed.what}, which cannot be sent. Accepted: ${ACCEPTED_LIST}`);
  } else if (sniffed?.kind === 'type') {
    mimeType = sniffed.mimeType;
  } else if (sniffed?.kind === 'mp4') {
    const brand = sniffed.brand.toLowerCase();
    if (brand.startsWith('3g')) mimeType = 'video/3gpp';
    else if (brand.startsWith('m4a') || brand.startsWith('m4b')) mimeType = 'audio/mp4';
    else if (brand.startsWith('qt')) throw unsupportedType('QuickTime (.mov) video cannot be sent; convert it to MP4');
    else mimeType = claimed === 'audio/mp4' ? 'audio/mp4' : 'video/mp4';
  } else if (sniffed?.kind === 'zip') {
    mimeType = claimed && ZIP_TYPES.has(claimed) ? claimed : 'application/zip';
  } else if (sniffed?.kind === 'ole') {
    const byName = typeForExtension(filename);
    mimeType = claimed && OLE_TYPES.has(claimed) ? claimed : byName && OLE_TYPES.has(byName) ? byName : null;
    if (!mimeType) throw unsupportedType('Only Word, Excel and PowerPoint files of the old Office format are accepted');
  } else {
    // Nothing recognisable in the bytes: only text may be taken at its word.
    if (!claimed || !UPLOAD_TYPES[claimed])
      throw unsupportedType(`The type ${claimed ?? '(none)'} is not accepted. Accepted: ${ACCEPTED_LIST}`);
    if (!TEXT_TYPES.has(claimed)) throw unsupportedType(`The file's content does not look like ${claimed}`);
    if (data.subarray(0, 8192).includes(0)) throw unsupportedType('The file is not text');
    mimeType = claimed;
  }

  const spec = UPLOAD_TYPES[mimeType];
  if (!spec) throw unsupportedType(`The type ${mimeType} is not accepted. Accepted: ${ACCEPTED_LIST}`);
  const limit = KIND_LIMITS[spec.kind];
  if (data.length > limit) {
    throw fileError(
      413,
      `${spec.kind[0].toUpperCase()}${spec.kind.slice(1)} files may be at most ${limit / MB} MB; this one is ${(data.length / MB).toFixed(1)} MB`,
      'Too large',
    );
  }
  return { mimeType, kind: spec.kind, image };
}

/** Names that Windows reserves, and extensions that would run or render as a page when opened. */
const RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i;
const RISKY_EXTS = new Set([
  '.exe',
  '.com',
  '.bat',
  '.cmd',
  '.scr',
  '.pif',
  '.msi',
  '.msp',
  '.dll',
  '.cpl',
  '.js',
  '.jse',
  '.vbs',
  '.vbe',
  '.wsf',
  '.wsh',
  '.ps1',
  '.psm1',
  '.hta',
  '.jar',
  '.lnk',
  '.reg',
  '.sh',
  '.app',
  '.html',
  '.htm',
  '.xhtml',
  '.svg',
  '.shtml',
  '.mht',
  '.mhtml',
  '.url',
  '.desktop',
  '.apk',
  '.iso',
]);

/** Multipart filenames arrive decoded as latin1; turn UTF-8 bytes read that way back into text. */
export function fixLatin1(name: string): string {
  if (!/[\u0080-\u00ff]/.test(name) || /[^\u0000-\u00ff]/.test(name)) return name;
  const decoded = Buffer.from(name, 'latin1').toString('utf8');
  return decoded.includes('\ufffd') ? name : decoded;
}

/**
 * A file name safe to store and to put in Content-Disposition: the last path segment, without
 * control or bidi-override characters or characters Windows forbids, at most 200 characters.
 * When a mimeType is given and the name's extension does not fit it (or would run as a program),
 * the type's own extension is appended.
 */
export function sanitizeFilename(name: string | null | undefined, mimeType?: string): string | null {
  if (!name) return null;
  let n = name.normalize('NFC').split(/[\\/]/).pop() ?? '';
  n = n
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '')
    .replace(/[<>:"|?*]/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+|[.\s]+$/g, '');
  if (!n) return null;
  if (RESERVED.test(n)) n = `_${n}`;
  if (mimeType && UPLOAD_TYPES[mimeType]) {
    const ext = extOf(n);
    const fits = UPLOAD_TYPES[mimeType].exts.includes(ext) || (mimeType === 'text/plain' && ext !== '' && !RISKY_EXTS.has(ext));
    if (!fits) n = `${n}${UPLOAD_TYPES[mimeType].exts[0]}`;
  } else if (RISKY_EXTS.has(extOf(n))) {
    n = `${n}.bin`;
  }
  if (n.length > 200) {
    const ext = extOf(n);
    n = n.slice(0, 200 - ext.length).trimEnd() + ext;
  }
  return n;
}
