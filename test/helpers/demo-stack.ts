import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { inject } from 'vitest';
import { createLogger } from '../../bin/runtime/logger.js';
import { startService, type RunningService } from '../../bin/runtime/service.js';
import { parseConfig } from '../../domain/config.js';
import { readDemoDevices, seedDemoCommunity, type DemoDeviceCredential, type DemoLogin, type SeedDemoOptions } from '../../store/demo-seed/index.js';
import { launchBrowser, type TestBrowser } from './browser.js';
import { ensureConsoleBuilt } from './console-build.js';
import { createTestDb, type TestDb } from './db.js';

/** The all-in-one service on ephemeral ports over the seeded demo community, and Chromium. */
export interface DemoStack {
  db: TestDb;
  dataDir: string;
  service: RunningService;
  browser: TestBrowser;
  logins: DemoLogin[];
  devices: DemoDeviceCredential[];
  /** Ends the test's MQTT clients, then the browser, the service and the database. */
  stop(clients?: readonly MqttClient[]): Promise<void>;
}

/**
 * What every browser test starts from (the four e2e files shared these lines): the built
 * console, a private database seeded with the demo, the real service and a fresh Chromium.
 * `beforeStart` changes the seeded data before the service reads it.
 */
export async function startDemoStack(opts: {
  name: string;
  adminPassword: string;
  seed: Omit<SeedDemoOptions, 'dataDir'>;
  env?: Record<string, string>;
  beforeStart?: (db: TestDb) => Promise<void>;
}): Promise<DemoStack> {
  await ensureConsoleBuilt((m) => console.log(m));
  const db = await createTestDb();
  const dataDir = await mkdtemp(join(tmpdir(), `guardian-e2e-${opts.name}-`));
  const logins = (await seedDemoCommunity(db.pool, { ...opts.seed, dataDir })).logins;
  const devices = await readDemoDevices(dataDir);
  await opts.beforeStart?.(db);
  const env = {
    MQTT_PORT: '0', HTTP_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...opts.env,
    DATABASE_URL: db.url, REDIS_URL: inject('redisUrl'), DATA_DIR: dataDir, GUARDIAN_ADMIN_PASSWORD: opts.adminPassword,
  };
  const service = await startService(parseConfig(env), createLogger('warn', () => {}), env);
  const browser = await launchBrowser({ timeoutMs: 120_000 });
  return {
    db, dataDir, service, browser, logins, devices,
    async stop(clients = []) {
      for (const c of clients) await c.endAsync(true).catch(() => {});
      await browser.close();
      await service.stop();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
