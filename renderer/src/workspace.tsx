// What every signed-in screen shares: the session and permissions, the team (for names and
// assignment), the agent's own online status, and the outbox.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { Session } from './api';
import { inboxApi, type Agent } from './inbox/api';
import { Outbox, type OutboxEntry } from './inbox/outbox';
import { useRealtime, useRealtimeEvent } from './realtime';

export interface Workspace {
  session: Session;
  reloadSession(): void;
  me: { id: string; name: string };
  can(permission: string): boolean;
  agents: Agent[];
  agentName(id: string | null | undefined): string | null;
  online: boolean;
  setOnline(online: boolean): Promise<void>;
  outbox: Outbox;
}

const WorkspaceContext = createContext<Workspace | null>(null);

export function WorkspaceProvider({ session, reloadSession, children }: { session: Session; reloadSession(): void; children: ReactNode }) {
  const { state, resync } = useRealtime();
  const userId = session.user.id;
  const permissions = useMemo(() => new Set(session.permissions), [session.permissions]);
  const can = useCallback((permission: string) => permissions.has(permission), [permissions]);
  const [agents, setAgents] = useState<Agent[]>([]);
  const [online, setOnlineState] = useState(session.user.online);

  const [outbox] = useState(() => new Outbox(`omnistream.outbox.${userId}`));
  useEffect(() => {
    outbox.start();
    return () => outbox.stop();
  }, [outbox]);

  // The outbox drains whenever the live connection is (back) up.
  useEffect(() => {
    if (state === 'live') void outbox.flush();
  }, [state, outbox]);

  useEffect(() => {
    if (!permissions.has('agents.view')) return;
    let cancelled = false;
    inboxApi
      .agents()
      .then((page) => {
        if (!cancelled) setAgents(page.data);
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [permissions, resync]);

  useRealtimeEvent('agent.status_changed', (payload: { agentId: string; online: boolean }) => {
    setAgents((list) => list.map((a) => (a.id === payload.agentId ? { ...a, online: payload.online } : a)));
    if (payload.agentId === userId) setOnlineState(payload.online);
  });

  const agentName = useCallback(
    (id: string | null | undefined) => {
      if (!id) return null;
      if (id === userId) return session.user.name;
      return agents.find((a) => a.id === id)?.name ?? null;
    },
    [agents, userId, session.user.name],
  );

  const setOnline = useCallback(
    async (next: boolean) => {
      setOnlineState(next);
      try {
        const agent = await inboxApi.setOnline(userId, next);
        setOnlineState(agent.online);
      } catch (error) {
        setOnlineState(!next);
        throw error;
      }
    },
    [userId],
  );

  const value = useMemo<Workspace>(
    () => ({
      session,
      reloadSession,
      me: { id: userId, name: session.user.name },
      can,
      agents,
      agentName,
      online,
      setOnline,
      outbox,
    }),
    [session, reloadSession, userId, can, agents, agentName, online, setOnline, outbox],
  );
  return <WorkspaceContext.Provider value={value}>{children}</WorkspaceContext.Provider>;
}

export function useWorkspace(): Workspace {
  const value = useContext(WorkspaceContext);
  if (!value) throw new Error('useWorkspace outside WorkspaceProvider');
  return value;
}

export function useOutboxEntries(): OutboxEntry[] {
  const { outbox } = useWorkspace();
  return useSyncExternalStore(outbox.subscribe, outbox.getSnapshot);
}
