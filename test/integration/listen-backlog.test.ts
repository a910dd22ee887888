import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { closeApp, listenApp } from '../../api/server.js';
import { LISTEN_BACKLOG } from '../../domain/listen-backlog.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startTestGateway } from '../helpers/gateway.js';

/** The accept queue the kernel gives a listening socket (ss's Send-Q for LISTEN; iproute2). */
function acceptQueue(port: number): number {
  const out = execFileSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' }).trim();
  return Number(out.split(/\s+/)[2]);
}

/** The kernel caps a listener's queue at net.core.somaxconn (4,096 by default since Linux 5.4). */
const expected = Math.min(LISTEN_BACKLOG, Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8')));

let db: TestDb;
beforeAll(async () => { db = await createTestDb(); });
afterAll(async () => { await db.drop(); });

test('the MQTT listener queues a reconnect storm instead of dropping SYNs past 511', async () => {
  const { gateway } = await startTestGateway(db);
  try {
    expect(LISTEN_BACKLOG).toBeGreaterThan(511); // Node's default, which dropped the storm's SYNs
    expect(acceptQueue(gateway.ports.mqtt!)).toBe(expected);
  } finally {
    await gateway.stop();
  }
});

test('so does the HTTP listener, which carries MQTT over WebSocket', async () => {
  const app = Fastify();
  const port = await listenApp(app, { host: '127.0.0.1', port: 0 });
  try {
    expect(acceptQueue(port)).toBe(expected);
  } finally {
    await closeApp(app);
  }
});
