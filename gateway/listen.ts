import type { Server } from 'node:net';

/** Thrown when a listen port is taken; names the port so bin/ can name the variable. */
export class PortInUseError extends Error {
  constructor(readonly port: number, readonly what: 'mqtt' | 'mqtt_tls') {
    super(`port ${port} is already in use`);
    this.name = 'PortInUseError';
  }
}

/** Pending connections the kernel queues for accept (issue 6: the reconnect storm). */
export const LISTEN_BACKLOG = 4096;

export function listen(server: Server, port: number, host: string, what: 'mqtt' | 'mqtt_tls'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE' ? new PortInUseError(port, what) : err));
    // A reconnect storm (every device after a network blip or a restart) knocks all at once: with
    // Node's default accept queue of 511 the kernel drops the rest of the SYNs and the devices come
    // back only on their SYN retries 1, 3, 7, 15, 31 s later. The kernel caps this at somaxconn.
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => resolve((server.address() as { port: number }).port));
  });
}

