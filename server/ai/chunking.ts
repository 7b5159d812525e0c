// Splitting knowledge into passages a model can be given a few of: paragraphs kept whole where
// they fit, long ones cut at sentence ends, and the last sentence of a chunk repeated at the start
// of the next so an answer that straddles the cut is still found whole in one of them.

export const CHUNK_CHARS = 900;
const MAX_CHUNKS = 5000;

function sentences(paragraph: string): string[] {
  const parts = paragraph.match(/[^.!?。\n]+(?:[.!?。]+|$)\s*/g) ?? [paragraph];
  const out: string[] = [];
  for (const s of parts) {
    // A "sentence" longer than a chunk (a table row, a list without stops) is cut at word ends.
    if (s.length <= CHUNK_CHARS) out.push(s);
    else for (let i = 0; i < s.length; i += CHUNK_CHARS) out.push(s.slice(i, i + CHUNK_CHARS));
  }
  return out.map((s) => s.trim()).filter(Boolean);
}

/** Chunks of at most about CHUNK_CHARS characters, in order. */
export function chunkText(text: string, size = CHUNK_CHARS): string[] {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.replace(/[ \t]+/g, ' ').trim())
    .filter(Boolean);
  const chunks: string[] = [];
  let current = '';
  let lastSentence = '';
  const flush = () => {
    if (current.trim()) chunks.push(current.trim());
    current = '';
  };
  for (const paragraph of paragraphs) {
    if (current && current.length + paragraph.length + 2 <= size) {
      current += `\n\n${paragraph}`;
      lastSentence = sentences(paragraph).at(-1) ?? '';
      continue;
    }
    if (paragraph.length <= size) {
      flush();
      current = paragraph;
      lastSentence = sentences(paragraph).at(-1) ?? '';
      continue;
    }
    for (const sentence of sentences(paragraph)) {
      if (current && current.length + sentence.length + 1 > size) {
        flush();
        // Overlap: the previous sentence starts the next chunk when it leaves room.
        if (lastSentence && lastSentence.length + sentence.length + 1 <= size) current = lastSentence;
      }
      current = current ? `${current} ${sentence}` : sentence;
      lastSentence = sentence;
    }
    if (chunks.length >= MAX_CHUNKS) break;
  }
  flush();
  return chunks.slice(0, MAX_CHUNKS);
}
