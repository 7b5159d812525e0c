// Text out of the files and pages a business teaches its AI agents with: PDF (unpdf, Mozilla's
// PDF.js), Word .docx (mammoth), plain text, CSV (csv-parse; each row becomes "column: value"
// lines) and HTML (html-to-text). Each library is imported by its first use.
import { lazy } from '../core/lazy.js';

const loadUnpdf = lazy(() => import('unpdf'));
const loadMammoth = lazy(async () => (await import('mammoth')).default);
const loadHtmlToText = lazy(() => import('html-to-text'));
const loadCsv = lazy(() => import('csv-parse/sync'));

/** A file or page that cannot be read: the message says why, for the source's status. */
export class ExtractError extends Error {}

export const EXTRACTABLE_TYPES: Record<string, string> = {
  'application/pdf': 'PDF',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'Word (.docx)',
  'text/plain': 'text',
  'text/csv': 'CSV',
  'text/markdown': 'text',
  'text/html': 'HTML',
};

const EXTRACTABLE_TYPES_DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** The kind of document by MIME type, falling back to the file name's extension. */
export function documentKind(mimeType: string, filename: string | null): 'pdf' | 'docx' | 'text' | 'csv' | 'html' | null {
  const type = mimeType.split(';')[0].trim().toLowerCase();
  const ext = filename?.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  if (type === 'application/pdf' || ext === 'pdf') return 'pdf';
  if (type === EXTRACTABLE_TYPES_DOCX || ext === 'docx') return 'docx';
  if (type === 'text/csv' || ext === 'csv') return 'csv';
  if (type === 'text/html' || ext === 'html' || ext === 'htm') return 'html';
  if (type.startsWith('text/') || ext === 'txt' || ext === 'md') return 'text';
  return null;
}
const tidy = (text: string) =>
  text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/\n{3,}/g, '\n\n')
    .trim();

export async function pdfToText(data: Buffer): Promise<string> {
  const { extractText, getDocumentProxy } = await loadUnpdf();
  try {
    const pdf = await getDocumentProxy(new Uint8Array(data));
    const pages = await extractText(pdf, { mergePages: false });
    await pdf.cleanup?.();
    return tidy(pages.text.join('\n\n'));
  } catch (err) {
    throw new ExtractError(`The PDF could not be read (${(err as Error).message})`);
  }
}

export async function docxToText(data: Buffer): Promise<string> {
  const mammoth = await loadMammoth();
  try {
    return tidy((await mammoth.extractRawText({ buffer: data })).value);
  } catch (err) {
    throw new ExtractError(`The Word document could not be read (${(err as Error).message})`);
  }
}

export async function csvToText(data: Buffer | string): Promise<string> {
  const { parse } = await loadCsv();
  let rows: Record<string, string>[];
  try {
    rows = parse(typeof data === 'string' ? data : data.toString('utf8'), {
      columns: true,
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
    });
  } catch (err) {
    throw new ExtractError(`The CSV could not be read (${(err as Error).message})`);
  }
  // One paragraph per row, so chunks never cut a row in half.
  return rows
    .map((row) =>
      Object.entries(row)
        .filter(([, v]) => v !== '' && v !== undefined)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\n'),
    )
    .filter(Boolean)
    .join('\n\n');
}

/** The readable text of an HTML page (no scripts, styles, navigation or link targets) and its title. */
export async function htmlToText(html: string): Promise<{ title: string | null; text: string }> {
  const { convert } = await loadHtmlToText();
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1]?.replace(/\s+/g, ' ').trim() || null;
  const text = convert(html, {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      { selector: 'nav', format: 'skip' },
      { selector: 'script', format: 'skip' },
      { selector: 'style', format: 'skip' },
      { selector: 'noscript', format: 'skip' },
      { selector: 'form', format: 'skip' },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'h3', options: { uppercase: false } },
      { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
    ],
  });
  return { title: title ? decodeEntities(title) : null, text: tidy(text) };
}

function decodeEntities(s: string): string {
  return s
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'");
}

/** The text of a document of a known kind. */
export async function documentText(kind: 'pdf' | 'docx' | 'text' | 'csv' | 'html', data: Buffer): Promise<string> {
  switch (kind) {
    case 'pdf':
      return pdfToText(data);
    case 'docx':
      return docxToText(data);
    case 'csv':
      return csvToText(data);
    case 'html':
      return (await htmlToText(data.toString('utf8'))).text;
    default:
      return tidy(data.toString('utf8').replace(/^\uFEFF/, ''));
  }
}
