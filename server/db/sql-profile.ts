// Diagnostics for performance work (SQL_PROFILE_FILE; `npm run bench -- --sql-profile`): how often
// each SQL statement ran and how long SQLite took for it, written to a file when the server stops.
// A CPU profile shows SQLite only as one native frame under TypeORM's `query`; this says which
// statements (COMMITs, a job runner's look, an index) that time belongs to. Off unless configured.
import { performance } from 'node:perf_hooks';
import { writePrivateFile } from '../core/fs-private.js';

/** The part of a better-sqlite3 connection this wraps. */
interface Connection {
  prepare(sql: string): Statement;
  exec(sql: string): unknown;
}
type Statement = Record<'run' | 'get' | 'all' | 'iterate', (...args: unknown[]) => unknown>;

export interface StatementStats {
  sql: string;
  count: number;
  ms: number;
}

/** One line per statement: whitespace collapsed, string literals (values) left out. */
export function normalizeSql(sql: string): string {
  return sql
    .replace(/\s+/g, ' ')
    .replace(/'(?:[^']|'')*'/g, "'?'")
    .trim();
}

export class SqlProfile {
  private readonly stats = new Map<string, StatementStats>();

  /** Times every statement the connection prepares or executes from now on (`iterate`: creating the iterator only). */
  attach(connection: object): void {
    const db = connection as Connection;
    const prepare = db.prepare.bind(db);
    db.prepare = (sql: string) => {
      const statement = prepare(sql);
      for (const method of ['run', 'get', 'all', 'iterate'] as const) {
        const call = statement[method].bind(statement);
        statement[method] = (...args: unknown[]) => this.time(sql, () => call(...args));
      }
      return statement;
    };
    const exec = db.exec.bind(db);
    db.exec = (sql: string) => this.time(sql, () => exec(sql));
  }

  /** The statements, most SQLite time first. */
  statements(): StatementStats[] {
    return [...this.stats.values()].sort((a, b) => b.ms - a.ms);
  }

  /** A plain-text table: totals, then one line per statement. */
  report(): string {
    const rows = this.statements();
    const ms = rows.reduce((sum, r) => sum + r.ms, 0);
    const count = rows.reduce((sum, r) => sum + r.count, 0);
    const lines = rows.map((r) => `${r.ms.toFixed(1).padStart(10)} ms ${String(r.count).padStart(9)}  ${r.sql}`);
    return [
      `SQLite time ${ms.toFixed(0)} ms over ${count} statements (${rows.length} distinct)`,
      '         ms     count  statement',
      ...lines,
      '',
    ].join('\n');
  }

  /** Writes the report to `file` (owner-readable only) when the process exits. */
  writeOnExit(file: string): void {
    process.once('exit', () => writePrivateFile(file, this.report()));
  }

  private time<T>(sql: string, work: () => T): T {
    const started = performance.now();
    try {
      return work();
    } finally {
      const key = normalizeSql(sql);
      let s = this.stats.get(key);
      if (!s) this.stats.set(key, (s = { sql: key, count: 0, ms: 0 }));
      s.count++;
      s.ms += performance.now() - started;
    }
  }
}
