import { createConnection } from 'node:net';
import mqtt, { MqttClient, type IClientOptions } from 'mqtt';
import { kindMaySend, type EventType } from '../domain/device-kinds.js';
import { cmdTopic, eventTopic, statusTopic, type DeviceCommand } from '../domain/topics.js';
import type { DeviceCredential } from './credentials.js';
import { eventIdGenerator } from './event-ids.js';
import type { SimulationStats } from './stats.js';

/**
 * One simulated device = one MQTT connection, speaking DESIGN §2 exactly as firmware would:
 * clientId = username = deviceId, password = secret, MQTT 3.1.1, persistent session, QoS 1
 * events, retained `online` on connect and a retained `offline` will, its own cmd topic.
 */
export type DeviceState = 'idle' | 'connecting' | 'online' | 'reconnecting' | 'crashed' | 'refused' | 'stopped';

export interface EventExtra {
  value?: boolean | number | string;
  confidence?: number;
  room?: string;
  battery?: number;
  rssi?: number;
}

export interface SendResult {
  deviceId: string;
  eventId: string;
  type: EventType;
  acked: boolean;
  /** Publish → PUBACK, ms; null when no PUBACK arrived. */
  latencyMs: number | null;
  error?: string;
}

export interface SimulatedDeviceOptions {
  url: string;
  credential: DeviceCredential;
  /** Starting battery level, 0-100. */
  battery?: number;
  /** Heartbeats every heartbeatS real seconds (the server's offline rule runs in real time). */
  heartbeats?: boolean;
  stats?: SimulationStats;
  log?: (line: string) => void;
  /** Told every downlink command after the device's own handling. */
  onCommand?: (command: DeviceCommand, device: SimulatedDevice) => void;
  /** Asked on `check_in`: true while the resident cannot get to the button (fallen, unwell). */
  residentUnable?: () => boolean;
  backoff?: { minMs: number; maxMs: number };
  random?: () => number;
  /** Source address of the TCP connection (mqtt:// only), to spread a large fleet over 127.0.0.x. */
  localAddress?: string;
  /** The device's clock for event time (epoch ms); default real time. `simulate day` passes its virtual clock. */
  now?: () => number;
}

/** CONNACK return codes that retrying will not fix (MQTT 3.1.1 §3.2.2.3): 1, 2, 4, 5. */
const PERMANENT_REFUSALS = new Set([1, 2, 4, 5]);
/** A connection that lived this long was healthy: the next drop starts backoff afresh. */
const STABLE_CONNECTION_MS = 30_000;
/** A publish mqtt.js failed is tried again this often, this many times at most (bounded). */
const REPUBLISH_DELAY_MS = 250;
const MAX_REPUBLISH = 2000;

export class SimulatedDevice {
  readonly deviceId: string;
  readonly credential: DeviceCredential;
  battery: number;
  heartbeatS: number;
  private client: MqttClient | undefined;
  private _state: DeviceState = 'idle';
  private readonly nextId = eventIdGenerator();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private connectedAt = 0;
  private firstConnect: { resolve: () => void; reject: (err: Error) => void } | undefined;
  private readonly random: () => number;

  constructor(private readonly opts: SimulatedDeviceOptions) {
    this.credential = opts.credential;
    this.deviceId = opts.credential.deviceId;
    this.heartbeatS = opts.credential.heartbeatS;
    this.battery = opts.battery ?? 100;
    this.random = opts.random ?? Math.random;
  }

  get state(): DeviceState { return this._state; }
  get up(): boolean { return this._state === 'online'; }
  get kind() { return this.credential.kind; }

  /**
   * Opens the connection. Resolves on the first CONNACK; rejects when refused (bad secret,
   * revoked) or after timeoutMs, in which case it keeps retrying in the background.
   */
  connect(timeoutMs = 15_000): Promise<void> {
    if (this._state === 'online') return Promise.resolve();
    if (this._state === 'stopped') return Promise.reject(new Error(`${this.deviceId}: stopped`));
    if (this.client) return Promise.reject(new Error(`${this.deviceId}: connect() called twice`));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.firstConnect = undefined;
        reject(new Error(`${this.deviceId}: no CONNACK within ${timeoutMs} ms (still retrying)`));
      }, timeoutMs);
      this.firstConnect = {
        resolve: () => { clearTimeout(timer); this.firstConnect = undefined; resolve(); },
        reject: (err) => { clearTimeout(timer); this.firstConnect = undefined; reject(err); },
      };
      this._state = 'connecting';
      this.client = this.createClient();
    });
  }

  private createClient(): MqttClient {
    const c = this.credential;
    const options: IClientOptions = {
      clientId: c.deviceId, username: c.deviceId, password: c.secret,
      protocolVersion: 4, clean: false, keepalive: 60, connectTimeout: 10_000,
      // Reconnects are ours (below): mqtt.js retries at a fixed period, which after a broker
      // restart makes every device of a community knock at once.
      reconnectPeriod: 0, resubscribe: false,
      will: { topic: statusTopic(c.deviceId), payload: Buffer.from('offline'), qos: 1, retain: true },
    };
    const client = this.opts.localAddress ? tcpClientFrom(this.opts.url, this.opts.localAddress, options) : mqtt.connect(this.opts.url, options);
    client.on('connect', (connack) => this.onConnect(client, connack.sessionPresent));
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('error', (err) => this.onError(err));
    client.on('close', () => this.onClose());
    return client;
  }

  private onConnect(client: MqttClient, sessionPresent: boolean): void {
    this._state = 'online';
    this.connectedAt = Date.now();
    if (this.opts.stats) this.opts.stats.connects++;
    client.publish(statusTopic(this.deviceId), 'online', { qos: 1, retain: true });
    // A persistent session keeps the subscription; only a new session needs it again.
    if (!sessionPresent) client.subscribe(cmdTopic(this.deviceId), { qos: 1 });
    this.startHeartbeats();
    this.firstConnect?.resolve();
  }

  private onError(err: Error & { code?: unknown }): void {
    if (typeof err.code === 'number' && PERMANENT_REFUSALS.has(err.code)) {
      this._state = 'refused';
      if (this.opts.stats) this.opts.stats.refused++;
      this.opts.log?.(`[${this.deviceId}] connection refused: ${err.message}; not retrying`);
      this.firstConnect?.reject(new Error(`${this.deviceId}: ${err.message}`));
    }
    // Socket errors are followed by 'close', where reconnecting is decided.
  }

  private onClose(): void {
    this.stopHeartbeats();
    if (this._state === 'stopped' || this._state === 'crashed' || this._state === 'refused') return;
    if (this._state === 'online') {
      if (this.opts.stats) this.opts.stats.drops++;
      if (Date.now() - this.connectedAt >= STABLE_CONNECTION_MS) this.attempt = 0;
    }
    this._state = 'reconnecting';
    this.scheduleReconnect();
  }

  /** Exponential backoff with jitter, 1 s → 60 s, so a community does not reconnect in lockstep. */
  private scheduleReconnect(): void {
    const { minMs, maxMs } = this.opts.backoff ?? { minMs: 1000, maxMs: 60_000 };
    const base = Math.min(maxMs, minMs * 2 ** this.attempt);
    this.attempt++;
    const delay = base * (0.5 + this.random() * 0.5);
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      if (this._state === 'reconnecting') this.client?.connect();
    }, delay);
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (topic !== cmdTopic(this.deviceId)) return;
    let command: DeviceCommand;
    try {
      command = JSON.parse(payload.toString('utf8')) as DeviceCommand;
    } catch {
      this.opts.log?.(`[${this.deviceId}] ignoring a command that is not JSON`);
      return;
    }
    if (this.opts.stats) this.opts.stats.commands++;
    this.handleCommand(command);
    this.opts.onCommand?.(command, this);
  }

  private handleCommand(command: DeviceCommand): void {
    const log = (m: string) => this.opts.log?.(`[${this.deviceId}] ${m}`);
    switch (command?.type) {
      case 'alert_ack':
        // The speaker/LED tells the resident help is on its way.
        log(`alert ${command.alertId} ${command.state}: "${command.text}"`);
        break;
      case 'ping':
        log('ping → heartbeat');
        if (this.up) this.publishEvent('heartbeat', this.housekeeping());
        break;
      case 'config':
        if (typeof command.heartbeatS === 'number' && command.heartbeatS > 0) {
          log(`config: heartbeat every ${command.heartbeatS} s`);
          this.heartbeatS = command.heartbeatS;
          if (this.up) this.startHeartbeats(false);
        }
        break;
      case 'check_in':
        if (!kindMaySend(this.kind, 'button')) break; // the household answers from its button
        if (this.opts.residentUnable?.()) { log('check-in: nobody pressed the button'); break; }
        log('check-in: resident pressed the button (fine)');
        if (this.up) this.publishEvent('button', { value: 'check_in' });
        break;
      default:
        log(`unknown command ${JSON.stringify((command as { type?: unknown })?.type)}`);
    }
  }

  private housekeeping(): EventExtra {
    // RSSI of a weak-to-good home Wi-Fi/4G module.
    return { battery: Math.round(this.battery), rssi: Math.round(-50 - this.random() * 40) };
  }

  private startHeartbeats(sendNow = true): void {
    this.stopHeartbeats();
    if (this.opts.heartbeats === false) return;
    if (sendNow) this.publishEvent('heartbeat', this.housekeeping());
    this.heartbeatTimer = setInterval(() => {
      if (this.up) this.publishEvent('heartbeat', this.housekeeping());
    }, this.heartbeatS * 1000);
  }

  private stopHeartbeats(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  /**
   * Publishes one event at QoS 1; `done` runs on PUBACK (or failure). While the connection is
   * down mqtt.js keeps the message and sends it after reconnecting, like a device's buffer —
   * except in one race: a publish queued while mqtt.js resends its store after a reconnect is
   * failed ("Connection closed") and forgotten if that connection drops too (seen in the chaos
   * PostgreSQL scenario). Firmware keeps an event until it is PUBACKed, so we publish it again,
   * same id (the server's dedupe key), until the PUBACK or stop().
   */
  publishEvent(type: EventType, extra: EventExtra = {}, done?: (err: Error | undefined, latencyMs: number) => void): string {
    if (!kindMaySend(this.kind, type)) throw new Error(`${this.deviceId}: a ${this.kind} may not send ${type}`);
    if (!this.client || this._state === 'stopped') throw new Error(`${this.deviceId}: not connected`);
    const id = this.nextId();
    // The device's own clock: real time, or the virtual clock the service runs on in `simulate day`
    // (never the speed-scaled demo time, which the server would file under receive time).
    const event: Record<string, unknown> = { id, type, ts: this.opts.now?.() ?? Date.now(), ...extra };
    const started = performance.now();
    const stats = this.opts.stats;
    stats?.noteSent();
    const payload = JSON.stringify(event);
    let retries = 0;
    const attempt = (client: MqttClient) => client.publish(eventTopic(this.deviceId), payload, { qos: 1 }, (err) => {
      if (err && this.client && this._state !== 'stopped' && this._state !== 'refused' && retries++ < MAX_REPUBLISH) {
        const c = this.client;
        setTimeout(() => { if (this._state !== 'stopped') attempt(c); }, REPUBLISH_DELAY_MS);
        return;
      }
      if (stats) { if (err) stats.failed++; else stats.acked++; }
      done?.(err ?? undefined, performance.now() - started);
    });
    attempt(this.client);
    return id;
  }

  /** Publishes and waits for the PUBACK (at most timeoutMs). */
  send(type: EventType, extra: EventExtra = {}, timeoutMs = 10_000): Promise<SendResult> {
    return new Promise((resolve) => {
      let settled = false;
      let eventId = '';
      const finish = (r: Omit<SendResult, 'deviceId' | 'eventId' | 'type'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ deviceId: this.deviceId, eventId, type, ...r });
      };
      const timer = setTimeout(() => finish({ acked: false, latencyMs: null, error: `no PUBACK within ${timeoutMs} ms` }), timeoutMs);
      try {
        eventId = this.publishEvent(type, extra, (err, ms) => finish(err ? { acked: false, latencyMs: null, error: err.message } : { acked: true, latencyMs: ms }));
      } catch (err) {
        finish({ acked: false, latencyMs: null, error: (err as Error).message });
      }
    });
  }

  /** Power or network loss: the socket dies without DISCONNECT, so the broker publishes the will. */
  crash(): void {
    if (!this.client || this._state === 'stopped' || this._state === 'refused') return;
    clearTimeout(this.reconnectTimer);
    this._state = 'crashed';
    this.stopHeartbeats();
    this.client.stream.destroy();
  }

  /** Back after a crash: reconnect (the persistent session delivers missed commands). */
  recover(): void {
    if (this._state !== 'crashed' || !this.client) return;
    this._state = 'reconnecting';
    this.attempt = 0;
    this.client.connect();
  }

  /** Clean shutdown: retained `offline`, then DISCONNECT (so the will is not needed). */
  async stop(timeoutMs = 3000): Promise<void> {
    const client = this.client;
    const wasUp = this.up;
    clearTimeout(this.reconnectTimer);
    this.stopHeartbeats();
    this._state = 'stopped';
    this.firstConnect?.reject(new Error(`${this.deviceId}: stopped`));
    if (!client) return;
    if (wasUp) {
      await withTimeout(new Promise<void>((resolve) => {
        client.publish(statusTopic(this.deviceId), 'offline', { qos: 1, retain: true }, () => resolve());
      }), timeoutMs);
      await withTimeout(client.endAsync(false).catch(() => {}), timeoutMs);
    }
    if (!client.disconnected) await client.endAsync(true).catch(() => {});
  }
}

/** mqtt.js cannot bind a source address itself, so it gets a stream builder that does. */
function tcpClientFrom(url: string, localAddress: string, options: IClientOptions): MqttClient {
  const u = new URL(url);
  if (u.protocol !== 'mqtt:') throw new Error(`localAddress needs an mqtt:// URL, not ${u.protocol}`);
  const port = Number(u.port || 1883);
  return new MqttClient(() => createConnection({ host: u.hostname, port, localAddress }), { ...options, host: u.hostname, port });
}

function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.then(() => {}),
    new Promise<void>((resolve) => { timer = setTimeout(resolve, ms); }),
  ]).finally(() => clearTimeout(timer));
}
