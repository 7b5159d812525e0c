// The results table (console and Markdown) and the machine description.
import { cpus, totalmem, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import type { Row } from './context.js';

export interface Machine {
  cpu: string;
  cores: number;
  ramGb: number;
  node: string;
  platform: string;
  loadAverageAtStart: number[];
  date: string;
}

export function machine(): Machine {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch {
    /* not Linux */
  }
  return {
    cpu,
    cores: cpus().length,
    ramGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    date: new Date().toISOString(),
  };
}

const num = (v: number | undefined, digits = 1) =>
  v === undefined || Number.isNaN(v) ? '' : v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(digits);
const ratio = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '' : `${v.toFixed(v >= 10 ? 0 : 2)}×`);

function cells(r: Row): string[] {
  const value = r.value !== undefined ? `${num(r.value, 1)} ${r.unit ?? ''}`.trim() : '';
  return [
    r.scenario,
    r.measurement,
    r.n !== undefined ? r.n.toLocaleString('en-US') : '',
    num(r.throughput),
    num(r.p50, 2),
    num(r.p95, 2),
    num(r.p99, 2),
    value,
    [
      r.throughputRatio !== undefined ? `thr ${ratio(r.throughputRatio)}` : '',
      r.p99Ratio !== undefined ? `p99 ${ratio(r.p99Ratio)}` : '',
      r.valueRatio !== undefined ? ratio(r.valueRatio) : '',
    ]
      .filter(Boolean)
      .join(', '),
    r.target ? `${r.target} ${r.met ? '✅' : '❌'}` : '',
  ];
}

const HEAD = ['scenario', 'measurement', 'n', 'ops/s', 'p50 ms', 'p95 ms', 'p99 ms', 'value', 'vs baseline', 'target'];

export function markdownTable(rows: Row[]): string {
  const lines = [`| ${HEAD.join(' | ')} |`, `| ${HEAD.map((_h, i) => (i >= 2 && i <= 7 ? '---:' : '---')).join(' | ')} |`];
  for (const r of rows)
    lines.push(
      `| ${cells(r)
        .map((c) => c.replaceAll('|', '\\|'))
        .join(' | ')} |`,
    );
  return lines.join('\n');
}

export function consoleTable(rows: Row[]): string {
  const all = [HEAD, ...rows.map(cells)];
  const widths = HEAD.map((_, i) => Math.min(i === 1 ? 64 : 40, Math.max(...all.map((r) => r[i].length))));
  const fmt = (r: string[]) =>
    r
      .map((c, i) =>
        c.length > widths[i] ? `${c.slice(0, widths[i] - 1)}…` : i >= 2 && i <= 7 ? c.padStart(widths[i]) : c.padEnd(widths[i]),
      )
      .join('  ');
  return [fmt(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => fmt(cells(r)))].join('\n');
}

export function notes(rows: Row[]): string {
  return rows
    .filter((r) => r.note)
    .map((r) => `- ${r.scenario} / ${r.measurement}: ${r.note}`)
    .join('\n');
}
