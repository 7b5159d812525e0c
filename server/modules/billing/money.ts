// Money and periods: the currencies plans may be priced in (amounts are integers in the minor unit
// used in practice: rupiah for IDR, cents for USD), formatting for people (en/id), billing periods,
// and proration.
import type { Interval } from './billing.entity.js';

/** ISO 4217 codes offered, with the decimals each is written with. */
export const CURRENCIES: Record<string, number> = { IDR: 0, USD: 2, SGD: 2, MYR: 2, EUR: 2, AUD: 2 };
export const CURRENCY_CODES = Object.keys(CURRENCIES) as [string, ...string[]];

export type Lang = 'en' | 'id';

/** "Rp 299.000" (id) / "IDR 299,000" (en); "US$19.00" / "$19.00". */
export function formatMoney(amount: number, currency: string, lang: Lang = 'en'): string {
  const digits = CURRENCIES[currency] ?? 2;
  const major = amount / 10 ** digits;
  const text = new Intl.NumberFormat(lang === 'id' ? 'id-ID' : 'en-US', {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(major);
  // The standard PDF fonts have no narrow no-break space; a plain space reads the same.
  return text.replace(/[\u00a0\u202f]/g, ' ');
}

export function formatDate(date: Date, lang: Lang, timeZone = 'Asia/Jakarta'): string {
  return new Intl.DateTimeFormat(lang === 'id' ? 'id-ID' : 'en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone }).format(
    date,
  );
}

/** The end of a period that starts at `start` (the same day of the next month or year, clamped to its last day). */
export function addInterval(start: Date, interval: Interval, count = 1): Date {
  const d = new Date(start.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  if (interval === 'year') d.setUTCFullYear(d.getUTCFullYear() + count);
  else d.setUTCMonth(d.getUTCMonth() + count);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

export const addDays = (date: Date, days: number) => new Date(date.getTime() + days * 86_400_000);

/** The share of [start, end) still ahead at `now`, 0..1. */
export function remainingFraction(start: Date, end: Date, now: Date): number {
  const total = end.getTime() - start.getTime();
  if (total <= 0) return 0;
  return Math.min(1, Math.max(0, (end.getTime() - now.getTime()) / total));
}

/** A monthly amount for MRR: yearly prices count a twelfth. */
export const monthly = (amount: number, interval: Interval) => (interval === 'year' ? amount / 12 : amount);

/** Rounds to the currency's minor unit (integers already). */
export const round = (value: number) => Math.round(value);
