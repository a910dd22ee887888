import { createServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { Aedes, type Client } from 'aedes';
import type pg from 'pg';
import type { DeviceCommand } from '../domain/topics.js';
import { createAuthorizePublish, createAuthorizeSubscribe } from './acl.js';
import { createAuthorizeForward } from './adapters/zigbee2mqtt/hub-acl.js';
import { Zigbee2MqttAdapter } from './adapters/zigbee2mqtt/zigbee2mqtt-adapter.js';
import { createAuthenticate } from './auth.js';
import { sessionOf } from './device-session.js';
import { sendCommand } from './downlink.js';
import { DeviceRateLimiter } from './device-rate-limit.js';
import { connections } from './gateway-metrics.js';
import { AlertFanout } from './alert-fanout.js';
import { AlertWriter, poolAlertStore } from './alert-writer.js';
import { DownlinkRelay } from './downlink-relay.js';
import { Ingest, type AlertListener } from './ingest.js';
import { Presence } from './presence.js';
import { Quarantine } from './quarantine.js';
import { SharedSessions } from './shared-sessions.js';
import { TelemetryWriter } from './telemetry-writer.js';
import { listen } from './listen.js';
import { wallClock, type Clock } from '../domain/clock.js';
import { redisNamesFor } from '../store/redis-namespace.js';
export { PortInUseError } from './listen.js';

export interface GatewayOptions {
  pool: pg.Pool;
  host: string;
  mqttPort: number;
  tls?: { port: number; certFile: string; keyFile: string };
  batchMax: number;
  instanceId?: string;
  log: { info(m: string): void; warn(m: string, e?: unknown): void };
  onAlert?: AlertListener;
  /** Redis for routing jobs, live events and downlink commands; without it the gateway only stores. */
  redisUrl?: string;
  /** BullMQ key prefix (tests keep their queues apart with it). */
  queuePrefix?: string;
  /**
   * With redisUrl: keep MQTT sessions and routing in Redis so several gateways act as one
   * broker (DESIGN §9, ROLE=gateway). Off by default: one gateway keeps them in memory.
   */
  shareSessions?: boolean;
  /** Per-device telemetry limit (messages/s, burst); unset: no limit. Alerts are never limited. */
  rateLimit?: { perSecond: number; burst: number };
  /** Receive times and presence (DESIGN §11); default the wall clock. */
  clock?: Clock;
}

/**
 * Alert group commit: ≤ 200 SOS per statement, two statements in flight so one waiting on a row
 * lock does not hold every SOS back (more only made each slower: 1, 2, 3, 4 in flight measured
 * p50 14, 18, 15, 18 ms at 1,000 SOS/s). The queue bound is ~ 20 s of SOS at 1,000/s.
 */
const ALERT_WRITES = { batchMax: 200, maxConcurrent: 2, maxWaiting: 20_000 };

/**
 * The MQTT gateway (DESIGN §2, §8): composes auth, ACL/ingest, presence, the zigbee2mqtt
 * adapter and the telemetry writer around one aedes broker, listening on TCP (and TLS), and
 * accepting MQTT-over-WebSocket streams handed in by the HTTP server.
 */
export class Gateway {
  private broker: Aedes | undefined;
  private servers: Server[] = [];
  private readonly presence: Presence;
  private readonly quarantine: Quarantine;
  private readonly writer: TelemetryWriter;
  private readonly alertWriter: AlertWriter;
  private readonly ingest: Ingest;
  private readonly z2m: Zigbee2MqttAdapter;
  private readonly fanout: AlertFanout | undefined;
  private readonly downlinkRelay: DownlinkRelay | undefined;
  private sessions: SharedSessions | undefined;
  private connectionCount = 0;

  constructor(private readonly opts: GatewayOptions) {
    const warn = (m: string, e?: unknown) => opts.log.warn(m, e);
    if (opts.redisUrl) {
      this.fanout = new AlertFanout(opts.redisUrl, { queuePrefix: opts.queuePrefix, log: warn });
      this.downlinkRelay = new DownlinkRelay(opts.redisUrl, () => this.broker, warn, redisNamesFor(opts.queuePrefix), {
        deliver: (deviceId, command) => this.command(deviceId, command),
        revoked: (deviceIds) => this.z2m.revoked(deviceIds),
      });
    }
    const fanout = this.fanout;
    const onAlert: AlertListener = (result, signal) => { fanout?.handle(result); opts.onAlert?.(result, signal); };
    const clock = opts.clock ?? wallClock;
    this.presence = new Presence(opts.pool, warn, clock);
    this.quarantine = new Quarantine(opts.pool, warn, clock);
    this.writer = new TelemetryWriter(opts.pool, { batchMax: opts.batchMax });
    const limiter = opts.rateLimit ? new DeviceRateLimiter({ ratePerS: opts.rateLimit.perSecond, burst: opts.rateLimit.burst }) : undefined;
    this.alertWriter = new AlertWriter(poolAlertStore(opts.pool), ALERT_WRITES);
    this.ingest = new Ingest({ writer: this.writer, alerts: this.alertWriter, presence: this.presence, quarantine: this.quarantine, limiter, onAlert, clock });
    this.z2m = new Zigbee2MqttAdapter({
      pool: opts.pool, ingest: this.ingest, clock, presence: this.presence, quarantine: this.quarantine, log: (m) => opts.log.info(m),
      onSystemAlert: (alertId, live) => fanout?.handle({ outcome: 'opened', alertId, live }),
    });
  }

  /** Nothing received waits to be written (presence, quarantine, telemetry): the simulated day advances its clock only then. */
  get idle(): boolean {
    return this.presence.idle && this.quarantine.idle && this.writer.pending === 0;
  }

  /** Writes what presence and quarantine hold now, instead of at their next flush (the simulated day's settle). */
  async flushPending(): Promise<void> {
    await Promise.all([this.presence.flush(), this.quarantine.flush()]);
  }

  /** Ports actually bound (useful when 0 was asked for). */
  readonly ports: { mqtt?: number; mqttTls?: number } = {};

  async start(): Promise<void> {
    if (this.opts.shareSessions && this.opts.redisUrl) this.sessions = new SharedSessions(this.opts.redisUrl, (m, e) => this.opts.log.warn(m, e));
    const broker = await Aedes.createBroker({
      ...(this.sessions ? { mq: this.sessions.mq, persistence: this.sessions.persistence } : {}),
      id: this.opts.instanceId,
      maxClientsIdLength: 128,
      authenticate: createAuthenticate(this.opts.pool),
      authorizePublish: createAuthorizePublish({ ingest: this.ingest, presence: this.presence, z2m: this.z2m, log: (m, e) => this.opts.log.warn(m, e) }),
      authorizeSubscribe: createAuthorizeSubscribe({ z2m: this.z2m }),
      authorizeForward: createAuthorizeForward(),
    });
    this.broker = broker;
    broker.on('clientReady', (client) => {
      const s = sessionOf(client);
      if (!s) return;
      this.connectionCount++;
      connections.set(this.connectionCount);
      this.presence.online(s.deviceId);
    });
    broker.on('clientDisconnect', (client) => {
      const s = sessionOf(client);
      if (!s) return;
      this.connectionCount--;
      connections.set(this.connectionCount);
      this.presence.offline(s.deviceId);
      if (s.kind === 'z2m_hub') this.z2m.hubGone(s.deviceId);
    });
    broker.on('ping', (_packet, client) => {
      const s = sessionOf(client);
      if (s) this.presence.seen(s.deviceId);
    });
    // Client-side errors (bad packets, timeouts) are the client's problem, never the broker's.
    broker.on('clientError', () => {});
    broker.on('connectionError', () => {});
    this.presence.start();
    this.quarantine.start();
    await this.fanout?.start();
    await this.downlinkRelay?.start();

    // PUBACKs are small writes answering small writes: without TCP_NODELAY, Nagle holds one back
    // until the device ACKs the previous, and the device's delayed ACK makes that up to 40 ms.
    const tcp = createServer({ noDelay: true }, broker.handle);
    this.ports.mqtt = await listen(tcp, this.opts.mqttPort, this.opts.host, 'mqtt');
    this.servers.push(tcp);
    if (this.opts.tls) {
      const tls = createTlsServer({ cert: readFileSync(this.opts.tls.certFile), key: readFileSync(this.opts.tls.keyFile) }, broker.handle);
      this.ports.mqttTls = await listen(tls as unknown as Server, this.opts.tls.port, this.opts.host, 'mqtt_tls');
      this.servers.push(tls as unknown as Server);
    }
  }

  /** MQTT over WebSocket: the HTTP server hands us the upgraded connection as a stream. */
  handleStream(stream: Duplex, req?: IncomingMessage): void {
    if (!this.broker) { stream.destroy(); return; }
    this.broker.handle(stream as never, req);
  }

  /** A downlink command; a zigbee2mqtt hub gets it as `<base>/<name>/set` payloads of its sirens and lights. */
  async command(deviceId: string, command: DeviceCommand): Promise<void> {
    if (!this.broker) throw new Error('gateway not started');
    const client = (this.broker as unknown as { clients?: Record<string, Client> }).clients?.[deviceId];
    const session = sessionOf(client);
    if (client && session?.kind === 'z2m_hub') {
      await this.z2m.deliver(client, session, command);
      return;
    }
    return sendCommand(this.broker, deviceId, command);
  }

  /** Cuts a device's live connection at once (e.g. after revocation). */
  disconnect(deviceId: string): boolean {
    // aedes keeps live clients by id; its typings omit the map.
    const clients = (this.broker as unknown as { clients?: Record<string, { close(): void }> } | undefined)?.clients;
    const client = clients?.[deviceId];
    if (!client) return false;
    client.close();
    return true;
  }

  get ready(): boolean { return !!this.broker && !this.broker.closed; }
  get connected(): number { return this.connectionCount; }

  /** Stop accepting, close clients, then flush everything still buffered. */
  async stop(): Promise<void> {
    // Stop listening first, but a server's close waits for its open connections, so the broker
    // must close the clients before we wait for the servers.
    const closing = this.servers.map((s) => new Promise<void>((r) => s.close(() => r())));
    this.servers = [];
    if (this.broker) await new Promise<void>((r) => this.broker!.close(() => r()));
    await this.sessions?.stop();
    await Promise.all(closing);
    await this.writer.stop();
    await this.alertWriter.stop();
    await this.presence.stop();
    await this.quarantine.stop();
    await this.downlinkRelay?.stop();
    await this.fanout?.stop();
  }
}
