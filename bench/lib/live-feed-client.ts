import WebSocket from 'ws';
import { wallMs } from './wall-clock.js';

export interface LiveMessage { seq?: number; type: string; data: Record<string, unknown>; receivedAt: number }

/** Logs in through the API (POST /api/v1/auth/login) and returns the bearer token. */
export async function loginToken(httpUrl: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${httpUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (!res.ok) throw new Error(`login as ${username} failed: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** A console's view of `GET /api/v1/live`: every message, stamped with its arrival time. */
export async function openLiveFeed(httpUrl: string, token: string, onMessage: (m: LiveMessage) => void): Promise<{ close(): void; snapshot: Promise<void> }> {
  const ws = new WebSocket(`${httpUrl.replace(/^http/, 'ws')}/api/v1/live`, { headers: { authorization: `Bearer ${token}` } });
  let gotSnapshot: () => void = () => {};
  const snapshot = new Promise<void>((resolve) => { gotSnapshot = resolve; });
  ws.on('message', (raw) => {
    const receivedAt = wallMs();
    const m = JSON.parse(String(raw)) as Omit<LiveMessage, 'receivedAt'>;
    if (m.type === 'snapshot') gotSnapshot();
    onMessage({ ...m, receivedAt });
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`live feed refused: HTTP ${res.statusCode}`)));
  });
  return { close: () => ws.close(), snapshot };
}
