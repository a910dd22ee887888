import { createConnection, type Socket } from 'node:net';
import type { DeviceCredential } from '../../domain/device-credentials.js';
import type { EventType } from '../../domain/device-kinds.js';
import { cmdTopic, eventTopic, statusTopic } from '../../domain/topics.js';
import { eventIdGenerator } from '../../simulators/event-ids.js';
import { connectPacket, PacketReader, PINGREQ, publishPacket, subscribePacket, type IncomingPacket } from './mqtt-wire.js';

const KEEPALIVE_S = 60;
const CONNACK = 2, PUBACK = 4;

/**
 * A device as the firmware of DESIGN §2 speaks to the broker — clientId = username = deviceId,
 * password = secret, persistent session, retained `online` and an `offline` will, its cmd topic,
 * QoS 1 events — written directly on a socket (mqtt-wire.ts), for generators of 10,000+ devices.
 * Same surface as simulators/simulated-device.ts where the fleet uses it.
 */
export class LeanDevice {
  readonly deviceId: string;
  private socket: Socket | undefined;
  private state: 'idle' | 'connecting' | 'online' | 'crashed' | 'stopped' = 'idle';
  private readonly nextEventId = eventIdGenerator();
  private packetId = 0;
  private readonly waiting = new Map<number, (err: Error | undefined) => void>();
  private heartbeat: NodeJS.Timeout | undefined;
  private ping: NodeJS.Timeout | undefined;
  private onConnack: ((rc: number) => void) | undefined;

  constructor(readonly credential: DeviceCredential, private readonly opts: { url: string; localAddress?: string; heartbeats: boolean }) {
    this.deviceId = credential.deviceId;
  }

  get up(): boolean { return this.state === 'online'; }

  connect(timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.onConnack = undefined; reject(new Error(`${this.deviceId}: no CONNACK within ${timeoutMs} ms`)); }, timeoutMs);
      this.onConnack = (rc) => {
        clearTimeout(timer);
        if (rc === 0) resolve(); else reject(new Error(`${this.deviceId}: connection refused (CONNACK ${rc})`));
      };
      this.open();
    });
  }

  private open(): void {
    const u = new URL(this.opts.url);
    const c = this.credential;
    this.state = 'connecting';
    const reader = new PacketReader();
    const socket = createConnection({ host: u.hostname, port: Number(u.port || 1883), ...(this.opts.localAddress ? { localAddress: this.opts.localAddress } : {}) });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('connect', () => socket.write(connectPacket({
      clientId: c.deviceId, username: c.deviceId, password: c.secret, keepaliveS: KEEPALIVE_S,
      will: { topic: statusTopic(c.deviceId), payload: 'offline' },
    })));
    socket.on('data', (chunk: Buffer) => {
      try { reader.push(chunk, (p) => this.onPacket(p)); } catch { socket.destroy(); }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.clearTimers();
      for (const done of this.waiting.values()) done(new Error('connection closed'));
      this.waiting.clear();
      if (this.state === 'connecting') this.onConnack?.(-1);
      if (this.state !== 'stopped') this.state = 'crashed';
    });
  }

  private onPacket(p: IncomingPacket): void {
    if (p.type === CONNACK) {
      const rc = p.body[1] ?? 255;
      const sessionPresent = ((p.body[0] ?? 0) & 1) === 1;
      if (rc === 0) {
        this.state = 'online';
        this.socket!.write(publishPacket(statusTopic(this.deviceId), this.nextId(), 'online', true));
        if (!sessionPresent) this.socket!.write(subscribePacket(cmdTopic(this.deviceId), this.nextId()));
        this.ping = setInterval(() => this.socket?.write(PINGREQ), (KEEPALIVE_S * 1000) / 2);
        if (this.opts.heartbeats) {
          this.publishEvent('heartbeat', { battery: 80 });
          // Spread over the period so 10,000 devices do not beat in lockstep.
          const period = this.credential.heartbeatS * 1000;
          this.heartbeat = setTimeout(() => {
            this.heartbeat = setInterval(() => { if (this.up) this.publishEvent('heartbeat', { battery: 80 }); }, period);
          }, Math.random() * period);
        }
      }
      const cb = this.onConnack;
      this.onConnack = undefined;
      cb?.(rc);
    } else if (p.type === PUBACK) {
      const id = p.body.readUInt16BE(0);
      const done = this.waiting.get(id);
      this.waiting.delete(id);
      done?.(undefined);
    }
  }

  private nextId(): number {
    this.packetId = (this.packetId % 65535) + 1;
    return this.packetId;
  }

  /** A QoS 1 event; `done` on its PUBACK with the latency in ms. */
  publishEvent(type: EventType, extra: Record<string, unknown> = {}, done?: (err: Error | undefined, latencyMs: number) => void): string {
    const id = this.nextEventId();
    if (!this.socket || this.state !== 'online') { done?.(new Error(`${this.deviceId}: not connected`), 0); return id; }
    const packetId = this.nextId();
    const started = performance.now();
    if (done) this.waiting.set(packetId, (err) => done(err, performance.now() - started));
    else this.waiting.set(packetId, () => {});
    this.socket.write(publishPacket(eventTopic(this.deviceId), packetId, JSON.stringify({ id, type, ts: Date.now(), ...extra })));
    return id;
  }

  /** The socket dies without DISCONNECT (the broker publishes the will). */
  crash(): void {
    this.clearTimers();
    if (this.state !== 'stopped') this.state = 'crashed';
    this.socket?.destroy();
  }

  /** Reconnects after a crash; resolves on CONNACK. */
  recover(timeoutMs = 60_000): Promise<void> {
    return this.connect(timeoutMs);
  }

  stop(): void {
    this.state = 'stopped';
    this.crash();
  }

  private clearTimers(): void {
    clearInterval(this.ping);
    clearTimeout(this.heartbeat);
    clearInterval(this.heartbeat);
    this.ping = this.heartbeat = undefined;
  }
}
