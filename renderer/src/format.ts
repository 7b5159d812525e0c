// Formatting helpers shared by the inbox screens (dates, times, names, links, snippets).
import { useEffect, useState } from 'react';
import type { AnyT } from './i18n';

export function locale(language: string | undefined): string {
  return language === 'id' ? 'id-ID' : 'en-US';
}

const DAY_MS = 24 * 3600 * 1000;

function startOfDay(date: Date): number {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
}

/** Time of day, e.g. 14:05 / 2:05 PM. */
export function formatTime(value: string | Date, language: string | undefined): string {
  return new Intl.DateTimeFormat(locale(language), { hour: 'numeric', minute: '2-digit' }).format(new Date(value));
}

/** Compact time for lists: time today, weekday this week, otherwise a short date. */
export function formatListTime(value: string | null, language: string | undefined, now = Date.now()): string {
  if (!value) return '';
  const date = new Date(value);
  const days = Math.round((startOfDay(new Date(now)) - startOfDay(date)) / DAY_MS);
  if (days <= 0) return formatTime(date, language);
  if (days < 7) return new Intl.DateTimeFormat(locale(language), { weekday: 'short' }).format(date);
  return new Intl.DateTimeFormat(locale(language), { day: 'numeric', month: 'short' }).format(date);
}

/** "Today", "Yesterday" or a full date, for separators in a thread. */
export function formatDayLabel(value: string, t: AnyT, language: string | undefined, now = Date.now()): string {
  const date = new Date(value);
  const days = Math.round((startOfDay(new Date(now)) - startOfDay(date)) / DAY_MS);
  if (days === 0) return t('format.today');
  if (days === 1) return t('format.yesterday');
  return new Intl.DateTimeFormat(locale(language), {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: new Date(now).getFullYear() === date.getFullYear() ? undefined : 'numeric',
  }).format(date);
}

export function formatDateTime(value: string, language: string | undefined): string {
  return new Intl.DateTimeFormat(locale(language), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(value));
}

export function dayKey(value: string): string {
  const d = new Date(value);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export interface WindowInfo {
  open: boolean;
  /** Milliseconds left while open. */
  leftMs: number;
  label: string;
  urgent: boolean;
}

/** The customer-service window: free-form replies are only possible while it is open. */
export function windowInfo(expiresAt: string | null, t: AnyT, now = Date.now()): WindowInfo {
  const left = expiresAt ? Date.parse(expiresAt) - now : -1;
  if (!(left > 0)) return { open: false, leftMs: 0, label: t('format.windowClosedShort'), urgent: true };
  const hours = Math.floor(left / 3600_000);
  const minutes = Math.max(1, Math.floor((left % 3600_000) / 60_000));
  const label = hours >= 1 ? t('format.windowHoursLeft', { hours }) : t('format.windowMinutesLeft', { minutes });
  return { open: true, leftMs: left, label, urgent: left < 2 * 3600_000 };
}

/** Re-renders every `intervalMs` so relative times and countdowns stay current. */
export function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

export function initials(name: string | null | undefined): string {
  const parts = (name ?? '').trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return '#';
  const letters = parts.length > 1 ? [parts[0][0], parts[parts.length - 1][0]] : [parts[0][0]];
  return letters.join('').toUpperCase();
}

export function contactName(
  contact: { name: string | null; phone: string | null; email: string | null } | null | undefined,
  t: AnyT,
): string {
  return contact?.name || contact?.phone || contact?.email || t('format.unknownContact');
}

/** A stable hue for an avatar from a string (so a contact keeps its colour). */
export function avatarHue(seed: string): number {
  let hash = 0;
  for (let i = 0; i < seed.length; i++) hash = (hash * 31 + seed.charCodeAt(i)) | 0;
  return Math.abs(hash) % 360;
}

export function formatBytes(bytes: number, language: string | undefined): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${new Intl.NumberFormat(locale(language), { maximumFractionDigits: unit === 0 ? 0 : 1 }).format(value)} ${units[unit]}`;
}

export type TextPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

const URL_PATTERN = /\b((?:https?:\/\/|www\.)[^\s<>"']+[^\s<>"'.,;:!?)\]}])/gi;

/** Splits text into plain parts and links (http(s) and www. only; nothing else becomes clickable). */
export function linkify(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const start = match.index ?? 0;
    if (start > last) parts.push({ kind: 'text', text: text.slice(last, start) });
    const raw = match[0];
    parts.push({ kind: 'link', text: raw, href: raw.toLowerCase().startsWith('www.') ? `https://${raw}` : raw });
    last = start + raw.length;
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  return parts;
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/**
 * The server's search snippets are HTML-escaped with matches in <mark>…</mark>. Parse that (and
 * only that) into parts, so nothing from a message is ever rendered as HTML.
 */
export function parseMarked(snippet: string): { text: string; marked: boolean }[] {
  const unescape = (s: string) => s.replace(/&(amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m] ?? m);
  const parts: { text: string; marked: boolean }[] = [];
  const pattern = /<mark>(.*?)<\/mark>/gs;
  let last = 0;
  for (const match of snippet.matchAll(pattern)) {
    const start = match.index ?? 0;
    if (start > last) parts.push({ text: unescape(snippet.slice(last, start)), marked: false });
    parts.push({ text: unescape(match[1]), marked: true });
    last = start + match[0].length;
  }
  if (last < snippet.length) parts.push({ text: unescape(snippet.slice(last)), marked: false });
  return parts;
}
