import type { Server } from 'node:net';
import { LISTEN_BACKLOG } from '../domain/listen-backlog.js';

/** Thrown when a listen port is taken; names the port so bin/ can name the variable. */
export class PortInUseError extends Error {
  constructor(readonly port: number, readonly what: 'mqtt' | 'mqtt_tls') {
    super(`port ${port} is already in use`);
    this.name = 'PortInUseError';
  }
}

export function listen(server: Server, port: number, host: string, what: 'mqtt' | 'mqtt_tls'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE' ? new PortInUseError(port, what) : err));
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => resolve((server.address() as { port: number }).port));
  });
}
