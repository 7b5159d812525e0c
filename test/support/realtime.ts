// A Socket.IO client for API tests that records every event it receives, with the time it came.
import { io as connectSocket, type Socket } from 'socket.io-client';

export interface Listener {
  socket: Socket;
  events: { type: string; payload: any; at: number }[];
}

export function listen(url: string, token: string): Promise<Listener> {
  const socket = connectSocket(url, { auth: { token }, transports: ['websocket'], reconnection: false });
  const events: Listener['events'] = [];
  socket.onAny((type, payload) => events.push({ type, payload, at: Date.now() }));
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve({ socket, events }));
    socket.once('connect_error', reject);
  });
}
