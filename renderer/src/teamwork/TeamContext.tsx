// The team around the signed-in agent: the organization's divisions (for names, filters and
// transfers), which of them the agent belongs to, and so which conversations the agent may see.
// People without "conversations.manage" see their divisions' conversations, those assigned to them
// and those in no division (the server's rule); live events for others are dropped on this side.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { Conversation } from '../inbox/api';
import { useRealtime, useRealtimeEvent } from '../realtime';
import { useWorkspace } from '../workspace';
import { teamApi, type DivisionSummary } from './api';

export interface Team {
  divisions: DivisionSummary[];
  /** Null until known. */
  myDivisionIds: Set<string> | null;
  divisionName(id: string | null | undefined): string | null;
  reloadDivisions(): void;
  canSee(conversation: Pick<Conversation, 'divisionId' | 'assignee'>): boolean;
}

const TeamContext = createContext<Team | null>(null);

export function TeamProvider({ children }: { children: ReactNode }) {
  const { can, me } = useWorkspace();
  const { resync } = useRealtime();
  const [divisions, setDivisions] = useState<DivisionSummary[]>([]);
  const [myDivisionIds, setMine] = useState<Set<string> | null>(null);
  const [version, setVersion] = useState(0);
  const reloadDivisions = useCallback(() => setVersion((n) => n + 1), []);
  const allowed = can('conversations.view');
  const manager = can('conversations.manage');

  useEffect(() => {
    if (!allowed) return;
    let cancelled = false;
    (async () => {
      const page = await teamApi.divisions();
      if (cancelled) return;
      setDivisions(page.data);
      if (manager) {
        setMine(new Set(page.data.map((d) => d.id)));
        return;
      }
      const mine = new Set<string>();
      await Promise.all(
        page.data.map(async (d) => {
          const members = await teamApi.divisionAgents(d.id).catch(() => null);
          if (members?.data.some((a) => a.id === me.id)) mine.add(d.id);
        }),
      );
      if (!cancelled) setMine(mine);
    })().catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [allowed, manager, me.id, resync, version]);

  // A conversation in a division we have not heard of: someone created one meanwhile.
  const known = useRef(new Set<string>());
  known.current = new Set(divisions.map((d) => d.id));
  const lastReload = useRef(0);
  const onConversation = (payload: { conversation?: Conversation }) => {
    const id = payload?.conversation?.divisionId;
    if (!id || known.current.has(id) || Date.now() - lastReload.current < 5000) return;
    lastReload.current = Date.now();
    reloadDivisions();
  };
  useRealtimeEvent('conversation.updated', onConversation);
  useRealtimeEvent('conversation.transferred', onConversation);

  const divisionName = useCallback(
    (id: string | null | undefined) => (id ? (divisions.find((d) => d.id === id)?.name ?? null) : null),
    [divisions],
  );
  const canSee = useCallback(
    (c: Pick<Conversation, 'divisionId' | 'assignee'>) =>
      manager || !c.divisionId || c.assignee?.id === me.id || myDivisionIds === null || myDivisionIds.has(c.divisionId),
    [manager, me.id, myDivisionIds],
  );

  const value = useMemo<Team>(
    () => ({ divisions, myDivisionIds, divisionName, reloadDivisions, canSee }),
    [divisions, myDivisionIds, divisionName, reloadDivisions, canSee],
  );
  return <TeamContext.Provider value={value}>{children}</TeamContext.Provider>;
}

export function useTeam(): Team {
  const value = useContext(TeamContext);
  if (!value) throw new Error('useTeam outside TeamProvider');
  return value;
}
