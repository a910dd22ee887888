import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Redis } from 'ioredis';
import { wallClock, type Clock } from '../../domain/clock.js';
import type { Config } from '../../domain/config.js';
import { buildApp } from '../../api/app.js';
import { listenApp } from '../../api/server.js';
import { Dispatcher } from '../../dispatcher/dispatcher.js';
import { Maintenance } from '../../dispatcher/maintenance/maintenance-jobs.js';
import { providerNotifiers } from '../../dispatcher/channel-parts.js';
import { ChannelConfigSource } from '../../dispatcher/notifiers/channel-config.js';
import { VoiceResidentCaller } from '../../dispatcher/passive/resident-caller.js';
import { PassiveRules } from '../../dispatcher/passive/passive-rules.js';
import { retentionDays } from '../../domain/retention-policy.js';
import { Gateway, PortInUseError } from '../../gateway/broker.js';
import { migrate } from '../../store/migrate.js';
import { startPrivateRedis, type PrivateRedis } from '../../store/redis-server.js';
import { ensureAdmin } from '../../store/users-repository.js';
import { openDatabase, type DatabaseHandle } from './database.js';
import type { Logger } from './logger.js';
import { registerConsole } from './console-static.js';
import { choosePort, PortTakenError } from './ports.js';
import { removeServiceInfo, runningService, writeServiceInfo } from './service-file.js';
import { SUBSCRIBER_OPTIONS } from '../../store/redis-subscriber.js';

export class ServiceAlreadyRunningError extends Error {
  constructor(readonly pid: number, readonly dataDir: string, readonly httpUrl: string) {
    super(`another guardian service (pid ${pid}, ${httpUrl}) already runs on DATA_DIR=${dataDir}; stop it first, or set DATA_DIR to another directory`);
    this.name = 'ServiceAlreadyRunningError';
  }
}

/** How the service keeps time (DESIGN §11): the wall clock, or the simulated day's virtual clock. */
export interface ServiceTime {
  clock: Clock;
  /** Delayed jobs wait in BullMQ (production) or on the clock (`simulate day`). */
  delays: 'bullmq' | 'clock';
}

export interface RunningService {
  /** The ROLE this process runs (the banner shows only what it serves). */
  role: Config['ROLE'];
  httpUrl: string;
  mqttUrl: string;
  mqttWsUrl: string;
  /** Set only on the very first start, when the admin password was generated. */
  adminPassword: string | null;
  database: DatabaseHandle;
  /** The Redis the service uses (its private redis-server, or REDIS_URL). */
  redisUrl: string;
  /** The gateway and the dispatcher of this process (by ROLE). */
  gateway?: Gateway;
  dispatcher?: Dispatcher;
  stop(): Promise<void>;
}

/**
 * The service of DESIGN §1: database (embedded by default), Redis (private redis-server by
 * default), and per ROLE the MQTT gateway (all, gateway) and the HTTP API (every role serves
 * /healthz, /readyz and /metrics; MQTT-over-WebSocket where a gateway runs).
 * Stops in reverse order: stop accepting, flush telemetry, close the database, stop Redis.
 */
export async function startService(config: Config, log: Logger, env: NodeJS.ProcessEnv = process.env, time: ServiceTime = { clock: wallClock, delays: 'bullmq' }): Promise<RunningService> {
  const other = runningService(config.DATA_DIR);
  if (other) throw new ServiceAlreadyRunningError(other.pid, config.DATA_DIR, other.httpUrl);

  const runsGateway = config.ROLE === 'all' || config.ROLE === 'gateway';
  const http = await choosePort('HTTP_PORT', config.HTTP_PORT, config.HOST, env, log);
  const mqtt = runsGateway ? await choosePort('MQTT_PORT', config.MQTT_PORT, config.HOST, env, log) : undefined;
  const cleanups: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err) => log.warn('shutdown step failed', err));
    cleanups.length = 0;
  };
  try {
    const database = await openDatabase(config, (m) => log.info(m), 20, { ownEmbedded: true, fixedPool: true });
    cleanups.push(() => database.close());
    await migrate(database.pool, (m) => log.info(m));
    const servesPeople = config.ROLE === 'all' || config.ROLE === 'api';
    const adminPassword = servesPeople ? await ensureAdmin(database.pool, config.GUARDIAN_ADMIN_PASSWORD) : null;

    const redisUrl = config.REDIS_URL ?? (await startRedis(config, log, cleanups)).url;
    // Producers fail fast (DESIGN §4): a Redis outage must never stall ingest or HTTP.
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
    redis.on('error', () => {}); // status is reported by /readyz; ioredis reconnects by itself
    await redis.connect().catch((err) => log.warn('Redis is not reachable yet; /readyz will say so', err));
    cleanups.push(async () => { redis.disconnect(); });

    const gateway = mqtt ? await startGateway(config, database, mqtt.port, redisUrl, log, cleanups, time.clock) : undefined;

    const dispatcher = config.ROLE === 'all' || config.ROLE === 'dispatcher' ? await startDispatcher(config, database, redisUrl, log, cleanups, time) : undefined;

    const app = await buildApp({
      pool: database.pool,
      config,
      clock: time.clock,
      redis,
      trustProxy: config.TRUST_PROXY,
      createLiveSubscriber: () => new Redis(redisUrl, SUBSCRIBER_OPTIONS),
      readiness: { redis: () => redis.status === 'ready', ...(gateway ? { broker: () => gateway.ready } : {}) },
      ...(gateway ? {
        mqttOverWebSocket: (stream: Duplex, req: IncomingMessage) => gateway.handleStream(stream, req),
        onDeviceRevoked: (deviceId: string) => { gateway.disconnect(deviceId); },
      } : {}),
    });
    if (config.ROLE === 'all' || config.ROLE === 'api') await registerConsole(app);
    cleanups.push(() => app.close()); // closed first: stop taking requests before the gateway stops
    const httpPort = await listenApp(app, { host: config.HOST, port: http.port }).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortTakenError('HTTP_PORT', http.port);
      throw err;
    });

    const shownHost = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
    const httpUrl = `http://${shownHost}:${httpPort}`;
    const mqttUrl = gateway ? `mqtt://${shownHost}:${gateway.ports.mqtt}` : '(no gateway in this role)';
    log.info(`role ${config.ROLE}: HTTP on ${httpUrl}${gateway ? `, MQTT on ${mqttUrl}` : ''}`);
    await writeServiceInfo(config.DATA_DIR, { pid: process.pid, httpUrl, mqttUrl, startedAt: new Date().toISOString() });
    cleanups.push(() => removeServiceInfo(config.DATA_DIR));
    return { role: config.ROLE, httpUrl, mqttUrl, mqttWsUrl: `ws://${shownHost}:${httpPort}/mqtt`, adminPassword, database, redisUrl, ...(gateway ? { gateway } : {}), ...(dispatcher ? { dispatcher } : {}), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function startGateway(config: Config, database: DatabaseHandle, mqttPort: number, redisUrl: string, log: Logger, cleanups: Array<() => Promise<void>>, clock: Clock): Promise<Gateway> {
  const gateway = new Gateway({
    pool: database.pool, clock, host: config.HOST, mqttPort, redisUrl, batchMax: config.TELEMETRY_BATCH_MAX,
    instanceId: config.INSTANCE_ID,
    // Several ROLE=gateway processes act as one broker through Redis (DESIGN §9); the
    // all-in-one keeps MQTT sessions in memory, so Redis is never on its path to a PUBACK.
    shareSessions: config.ROLE === 'gateway',
    rateLimit: { perSecond: config.DEVICE_RATE_MAX, burst: config.DEVICE_RATE_BURST },
    tls: config.MQTT_TLS_PORT !== undefined ? { port: config.MQTT_TLS_PORT, certFile: config.TLS_CERT!, keyFile: config.TLS_KEY! } : undefined,
    log: { info: (m) => log.info(m), warn: (m, e) => log.warn(m, e) },
  });
  try {
    await gateway.start();
  } catch (err) {
    await gateway.stop().catch(() => {});
    if (err instanceof PortInUseError) throw new PortTakenError(err.what === 'mqtt' ? 'MQTT_PORT' : 'MQTT_TLS_PORT', err.port);
    throw err;
  }
  cleanups.push(() => gateway.stop());
  return gateway;
}

/** The alert engine and the passive rules (DESIGN §4); several may run on one Redis. */
async function startDispatcher(config: Config, database: DatabaseHandle, redisUrl: string, log: Logger, cleanups: Array<() => Promise<void>>, time: ServiceTime): Promise<Dispatcher> {
  // The check-in's call to the resident's phone goes through the voice channels of "Reaching people".
  const caller = new VoiceResidentCaller({ pool: database.pool, notifiers: providerNotifiers(database.pool, new ChannelConfigSource(database.pool)) });
  const passiveRules = new PassiveRules({ pool: database.pool, redisUrl, config, log, clock: time.clock, delays: time.delays, caller });
  const dispatcher = new Dispatcher({ pool: database.pool, redisUrl, config, log, passiveRules, clock: time.clock, delays: time.delays });
  await dispatcher.start();
  cleanups.push(() => dispatcher.stop());
  // Retention and the dedupe-key prune (issue 21) run where the dispatcher runs.
  const maintenance = new Maintenance({ pool: database.pool, redisUrl, days: retentionDays(config), log, clock: time.clock, delays: time.delays });
  await maintenance.start();
  cleanups.push(() => maintenance.stop());
  return dispatcher;
}

async function startRedis(config: Config, log: Logger, cleanups: Array<() => Promise<void>>): Promise<PrivateRedis> {
  const redis = await startPrivateRedis(config.DATA_DIR);
  log.info(redis.startedHere ? `private redis-server started on 127.0.0.1:${redis.port} (AOF on)` : `reusing the private redis-server on 127.0.0.1:${redis.port}`);
  cleanups.push(() => redis.stop());
  return redis;
}
