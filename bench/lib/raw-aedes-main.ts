/**
 * Child process: raw aedes (the version the gateway uses), default in-memory persistence, no
 * authentication, no hooks — it accepts everything. The baseline the gateway's overhead is
 * measured against. Sends {port} over IPC once listening; exits on SIGTERM.
 */
import { createServer } from 'node:net';
import { Aedes } from 'aedes';
import { LISTEN_BACKLOG } from '../../domain/listen-backlog.js';
import { answerGcRequests } from './child-gc.js';

answerGcRequests();
const broker = await Aedes.createBroker({ maxClientsIdLength: 128 });
broker.on('clientError', () => {});
broker.on('connectionError', () => {});
const server = createServer(broker.handle);
// The gateway's accept queue (LISTEN_BACKLOG), so both meet a burst of CONNECTs alike.
server.listen({ port: 0, host: '127.0.0.1', backlog: LISTEN_BACKLOG }, () => {
  process.send?.({ port: (server.address() as { port: number }).port });
});
process.on('disconnect', () => process.exit(1));
process.on('SIGTERM', () => {
  server.close();
  broker.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 3000).unref();
});
