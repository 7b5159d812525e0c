// Reads a PDF back (Mozilla's PDF.js): its pages' text and its document info, so tests check what a
// generated PDF says rather than its bytes.
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

export async function readPdf(bytes: Buffer | Uint8Array): Promise<{ pages: number; text: string; info: Record<string, unknown> }> {
  const pdf = await getDocument({ data: new Uint8Array(bytes), verbosity: 0 }).promise;
  const texts: string[] = [];
  for (let i = 1; i <= pdf.numPages; i++) {
    const content = await (await pdf.getPage(i)).getTextContent();
    texts.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
  }
  const meta = await pdf.getMetadata();
  return { pages: pdf.numPages, text: texts.join('\n'), info: (meta.info ?? {}) as Record<string, unknown> };
}
