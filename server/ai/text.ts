// Text helpers for the AI layer: words as retrieval sees them (lower case, without diacritics,
// without the little words of Indonesian and English), the customer's language (Indonesian first),
// whether they ask for a person, and how upset they sound. Pure functions, no model needed: they
// work the same on a local model, a cloud one, or none.

/** Lower case, diacritics removed, NFKC: "Kopi Gayó" → "kopi gayo". */
export function normalize(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .normalize('NFKC')
    .toLowerCase();
}

/** Every word (letters and digits) of a text, normalized. */
export function words(text: string): string[] {
  return normalize(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}

// Question words, pronouns, particles and greetings that say nothing about what is asked.
const STOPWORDS_ID = `ada adalah agar akan aku anda apa apakah atau bagaimana bagi bahwa banget berapa bisa boleh buat dalam dan dari
dengan di dia dong donk gak ga gimana gitu hai halo hallo harus ia ini itu jadi juga kah kak kakak kalau kami kamu kan ke kenapa ketika
kok lagi lah mana masih mau mohon nya nggak ngga oleh pada para pun saja sama saya sih siapa sudah tanya tapi tentang terima kasih
tidak tolong untuk yang ya yg mas mbak min gan bang pak bu selamat pagi siang sore malam dgn utk tdk sy aja udah udh apa2 gan sis`;
const STOPWORDS_EN = `a about an and any are as at be been but by can could do does for from had has have hello hi how i if in is it its
me my of on or our please so that the their them then there these they this to us was we what when where which who why will with would
you your yours thanks thank hey`;
export const STOPWORDS = new Set([...STOPWORDS_ID.split(/\s+/), ...STOPWORDS_EN.split(/\s+/)].filter(Boolean));

/** The words a search should look for: no stopwords, no one-letter words, each once, at most `max`. */
export function keywords(text: string, max = 12): string[] {
  const seen = new Set<string>();
  for (const w of words(text)) {
    if (w.length < 2 || STOPWORDS.has(w)) continue;
    seen.add(w);
    if (seen.size >= max) break;
  }
  return [...seen];
}

const ID_MARKERS = new Set(
  `yang dan di ke dari ini itu saya aku kami kita apa apakah berapa bagaimana gimana kapan dimana mana bisa tidak gak nggak ya dong
  kak kakak mau ingin tolong mohon sudah belum ada untuk dengan juga harga berapa kirim pesan beli barang terima kasih selamat pagi
  siang sore malam halo min gan sis bang boleh nya kah lah sih deh kok banget aja udah`.split(/\s+/),
);
const EN_MARKERS = new Set(
  `the and is are was what how much when where why can could would please thanks thank you your my i we do does have has price ship
  shipping order buy hello hi good morning evening want need to of for with this that it`.split(/\s+/),
);

export type Language = 'id' | 'en';

/** Indonesian or English, by the share of each language's common words; Indonesian when unsure. */
export function detectLanguage(text: string): Language {
  let id = 0;
  let en = 0;
  for (const w of words(text)) {
    if (ID_MARKERS.has(w)) id++;
    if (EN_MARKERS.has(w)) en++;
  }
  return en > id ? 'en' : 'id';
}

export const LANGUAGE_NAMES: Record<Language, string> = { id: 'Indonesian (Bahasa Indonesia)', en: 'English' };

// "mau bicara dengan orang", "bisa sambungkan ke admin?", "talk to a human"…
const HUMAN_REQUEST = [
  /\b(bicara|berbicara|ngobrol|ngomong|omong|chat|hubungi|sambung(kan)?|disambungkan|hubungkan|minta|panggil(kan)?|dilayani|layani)\b.{0,30}\b(orang|manusia|admin|cs|customer service|operator|petugas|agen|staf|staff|karyawan|pegawai)\b/,
  /\b(orang|manusia|admin|cs|operator|petugas|agen) (asli|beneran|sungguhan|langsung)\b/,
  /\b(bukan|jangan) (bot|robot|mesin|ai)\b/,
  /\b(talk|speak|chat|connect)\b.{0,30}\b(human|person|agent|someone|somebody|representative|operator|staff)\b/,
  /\b(real|live|actual) (person|human|agent)\b/,
  /\bhuman agent\b/,
];

/** Whether the customer asks to be served by a person (Indonesian or English). */
export function asksForHuman(text: string): boolean {
  const t = normalize(text);
  return HUMAN_REQUEST.some((re) => re.test(t));
}

const NEGATIVE = new Set(
  `kecewa mengecewakan marah kesal kesel jengkel sebel jelek buruk parah penipu penipuan tipu nipu bohong rusak cacat komplain keluhan
  lambat lelet telat terlambat nyesel menyesal payah gila refund batal pembatalan ancam lapor polisi sampah zonk hilang angry terrible
  awful horrible disappointed disappointing scam fraud worst bad broken useless furious complaint late never refund cheated liar annoyed`.split(
    /\s+/,
  ),
);
const POSITIVE = new Set(
  `terima kasih makasih mantap bagus puas senang suka keren oke ok sip thanks thank great good love happy perfect excellent awesome nice`.split(
    /\s+/,
  ),
);

/**
 * How the customer sounds, from -1 (very upset) to 1 (happy): negative and positive words,
 * repeated exclamation marks and shouting count.
 */
export function sentiment(text: string): number {
  const ws = words(text);
  let score = 0;
  for (const w of ws) {
    if (NEGATIVE.has(w)) score -= 0.4;
    else if (POSITIVE.has(w)) score += 0.3;
  }
  if (/!{2,}/.test(text)) score -= 0.2;
  const letters = text.replace(/[^\p{L}]/gu, '');
  if (letters.length >= 8 && letters.replace(/[^\p{Lu}]/gu, '').length / letters.length > 0.7) score -= 0.3;
  return Math.max(-1, Math.min(1, Math.round(score * 100) / 100));
}

/** Whether `text` contains `phrase` as whole words (both normalized). */
export function containsPhrase(text: string, phrase: string): boolean {
  const p = words(phrase);
  if (p.length === 0) return false;
  const t = words(text);
  outer: for (let i = 0; i + p.length <= t.length; i++) {
    for (let j = 0; j < p.length; j++) if (t[i + j] !== p[j]) continue outer;
    return true;
  }
  return false;
}

/** A rough token count for endpoints that report no usage: about four characters a token. */
export const estimateTokens = (text: string) => Math.ceil(text.length / 4);
