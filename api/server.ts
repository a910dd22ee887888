import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { LISTEN_BACKLOG } from '../domain/listen-backlog.js';
import { HttpPortInUseError } from './http-port-in-use-error.js';

/**
 * Listening and closing, kept apart from the app factory (fastify/demo `server.ts`), so tests
 * use `app.inject` and bin/ decides ports. Port 0 picks a free port; the bound one is returned.
 */
export async function listenApp(app: FastifyInstance, opts: { host: string; port: number }): Promise<number> {
  try {
    // Devices on MQTT over WebSocket reconnect through this port too (domain/listen-backlog.ts).
    await app.listen({ host: opts.host, port: opts.port, backlog: LISTEN_BACKLOG });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new HttpPortInUseError(opts.host, opts.port);
    throw err;
  }
  return (app.server.address() as AddressInfo).port;
}

/**
 * Graceful close: stop accepting, answer 503 to new requests on kept-alive connections, let
 * in-flight requests finish, close WebSockets (@fastify/websocket does on close). After
 * `timeoutMs` the remaining connections are cut so shutdown never hangs.
 */
export async function closeApp(app: FastifyInstance, opts: { timeoutMs?: number } = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs); });
  try {
    const result = await Promise.race([app.close().then(() => 'closed' as const), deadline]);
    if (result === 'timeout') {
      app.log.warn({ timeoutMs }, 'HTTP close timed out; cutting the remaining connections');
      app.server.closeAllConnections();
    }
  } finally {
    clearTimeout(timer);
  }
}
