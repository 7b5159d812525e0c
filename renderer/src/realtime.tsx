// Live updates over Socket.IO on the same origin (the session cookie authenticates it), and the
// connection state the shell shows: live, reconnecting (just lost it) or offline (gone for a while).
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { io, type Socket } from 'socket.io-client';
import { UNAUTHORIZED_EVENT } from './api';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

type Handler = (payload: any) => void; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Realtime {
  state: ConnectionState;
  /** Increments every time the connection comes back after a loss: views refetch what they may have missed. */
  resync: number;
  on(event: string, handler: Handler): () => void;
  emit(event: string, payload: unknown): void;
}

const RealtimeContext = createContext<Realtime | null>(null);

/** How long a lost connection shows as "reconnecting" before it counts as offline. */
const OFFLINE_AFTER_MS = 3000;

export function RealtimeProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<ConnectionState>('connecting');
  const [resync, setResync] = useState(0);
  const socketRef = useRef<Socket | null>(null);
  const handlers = useRef(new Map<string, Set<Handler>>());

  useEffect(() => {
    const socket = io({
      withCredentials: true,
      transports: ['websocket', 'polling'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 2500,
      timeout: 5000,
    });
    socketRef.current = socket;
    let offlineTimer: ReturnType<typeof setTimeout> | undefined;
    let everConnected = false;
    let lost = false;

    const goOfflineSoon = () => {
      if (offlineTimer) return;
      offlineTimer = setTimeout(() => setState('offline'), navigator.onLine ? OFFLINE_AFTER_MS : 0);
    };
    const onConnect = () => {
      clearTimeout(offlineTimer);
      offlineTimer = undefined;
      setState('live');
      if (everConnected && lost) setResync((n) => n + 1);
      everConnected = true;
      lost = false;
    };
    const onDisconnect = (reason: string) => {
      lost = true;
      setState('reconnecting');
      goOfflineSoon();
      // The server closed the socket on purpose (e.g. shutdown): socket.io does not retry by itself then.
      if (reason === 'io server disconnect') setTimeout(() => socket.connect(), 500);
    };
    const onConnectError = () => {
      lost = true;
      setState((prev) => (prev === 'offline' ? prev : everConnected ? 'reconnecting' : 'connecting'));
      goOfflineSoon();
    };
    const onBrowserOffline = () => {
      setState('offline');
    };
    const onBrowserOnline = () => {
      if (!socket.connected) socket.connect();
    };
    socket.on('connect', onConnect);
    socket.on('disconnect', onDisconnect);
    socket.on('connect_error', onConnectError);
    // The server ended this socket's session (logout elsewhere, password change, suspension, role
    // change): if this browser's session ended too, go to the sign-in page; otherwise (this browser
    // changed the password and holds the new session) the reconnect above picks it up.
    socket.on('session_ended', () => {
      fetch('/api/v1/auth/me', { credentials: 'same-origin' }).then(
        (res) => {
          if (res.status === 401) window.dispatchEvent(new CustomEvent(UNAUTHORIZED_EVENT));
        },
        () => undefined,
      );
    });
    socket.onAny((event: string, payload: unknown) => {
      const set = handlers.current.get(event);
      if (!set) return;
      for (const handler of [...set]) {
        try {
          handler(payload);
        } catch (error) {
          console.error(`realtime handler for ${event} failed`, error);
        }
      }
    });
    window.addEventListener('offline', onBrowserOffline);
    window.addEventListener('online', onBrowserOnline);
    return () => {
      clearTimeout(offlineTimer);
      window.removeEventListener('offline', onBrowserOffline);
      window.removeEventListener('online', onBrowserOnline);
      socket.removeAllListeners();
      socket.close();
      socketRef.current = null;
    };
  }, []);

  const on = useCallback((event: string, handler: Handler) => {
    let set = handlers.current.get(event);
    if (!set) handlers.current.set(event, (set = new Set()));
    set.add(handler);
    return () => {
      set.delete(handler);
    };
  }, []);
  const emit = useCallback((event: string, payload: unknown) => {
    if (socketRef.current?.connected) socketRef.current.emit(event, payload);
  }, []);
  const value = useMemo<Realtime>(() => ({ state, resync, on, emit }), [state, resync, on, emit]);

  return <RealtimeContext.Provider value={value}>{children}</RealtimeContext.Provider>;
}

export function useRealtime(): Realtime {
  const value = useContext(RealtimeContext);
  if (!value) throw new Error('useRealtime outside RealtimeProvider');
  return value;
}

/** Subscribes to one server event for the component's lifetime; the latest handler is always called. */
export function useRealtimeEvent(event: string, handler: Handler): void {
  const { on } = useRealtime();
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => on(event, (payload) => latest.current(payload)), [on, event]);
}
