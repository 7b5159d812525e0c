// Messages between the server (a child process) and the desktop shell that supervises it, over
// the Node IPC channel that fork() opens. Types only: the Electron main process imports this file
// without loading any server code.

export interface DesktopStatus {
  port: number;
  lan: { reachable: boolean; urls: string[]; preferredUrl: string | null; mdnsUrl: string | null };
  tunnel: { provider: string; state: string; publicUrl: string | null; callbackUrl: string | null; error: string | null };
  backup: { running: boolean; last: { ok: boolean; at: string; name: string | null; error: string | null } | null };
}

/** From the desktop shell to the server. */
export type ToServerMessage = { type: 'appliance:status' } | { type: 'appliance:backup'; id: string };

/** From the server to the desktop shell. */
export type FromServerMessage =
  | { type: 'appliance:status'; status: DesktopStatus }
  | { type: 'appliance:backup-result'; id: string; ok: boolean; name: string | null; error: string | null }
  /** A restore was staged: the shell restarts the server, which applies it before opening the database. */
  | { type: 'appliance:restart'; reason: string };

export function isApplianceMessage(value: unknown): value is { type: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string' &&
    (value as { type: string }).type.startsWith('appliance:')
  );
}
