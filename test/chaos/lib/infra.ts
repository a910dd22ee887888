import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { createPool } from '../../../store/db.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../../store/embedded-postgres.js';
import { migrate } from '../../../store/migrate.js';
import { RedisProcess } from './redis-process.js';

/**
 * One scenario's private world: PostgreSQL (embedded-postgres) and redis-server on ephemeral
 * loopback ports in a temp dir — never the machine's services on 5432/6379 (DESIGN §10).
 * PostgreSQL can be restarted on the same port; Redis can be SIGKILLed and restarted.
 */
export interface Infra {
  dir: string;
  pg: EmbeddedPostgres;
  databaseUrl: string;
  pool: pg.Pool;
  redis: RedisProcess;
  stopPostgres(): Promise<void>;
  startPostgres(): Promise<void>;
  close(): Promise<void>;
}

export async function startInfra(name: string): Promise<Infra> {
  const dir = await mkdtemp(join(tmpdir(), `guardian-chaos-${name}-`));
  let pgServer = await startEmbeddedPostgres(dir);
  const redis = new RedisProcess(dir);
  await redis.start();
  const pool = createPool(pgServer.url, 10);
  pool.on('error', () => {}); // idle clients die with a PostgreSQL restart
  await migrate(pool);
  const infra: Infra = {
    dir, pg: pgServer, databaseUrl: pgServer.url, pool, redis,
    async stopPostgres() {
      await pgServer.stop();
    },
    async startPostgres() {
      pgServer = await startEmbeddedPostgres(dir);
      if (pgServer.url !== infra.databaseUrl) throw new Error('PostgreSQL came back on another port');
      infra.pg = pgServer;
    },
    async close() {
      await pool.end().catch(() => {});
      await redis.stop().catch(() => {});
      await pgServer.stop().catch(() => {});
      await rm(dir, { recursive: true, force: true }).catch(() => {});
    },
  };
  return infra;
}
