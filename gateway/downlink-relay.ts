import type { Aedes } from 'aedes';
import { Redis } from 'ioredis';
import type { DeviceRevokedMessage, DownlinkMessage } from '../domain/queues.js';
import type { RedisNames } from '../domain/redis-names.js';
import { sendCommand } from './downlink.js';

/**
 * Delivers downlink commands published by the dispatcher and the API (DOWNLINK_CHANNEL) to the
 * devices connected to THIS gateway; every gateway hears every message, and each device is
 * connected to one of them, so each command reaches its device once.
 * Also cuts, at once, the live sessions of devices revoked elsewhere (DEVICE_REVOKED_CHANNEL,
 * published by the API and the CLI); their next CONNECT is refused by auth (CONNACK 5).
 */
/** Long enough for any CONNECT in flight at the revocation to become ready. */
const RECENT_MS = 10_000;

export class DownlinkRelay {
  private readonly sub: Redis;
  /**
   * Devices revoked in the last RECENT_MS: a CONNECT whose credentials were checked just before
   * the revocation committed becomes ready after the cut, and is closed then.
   */
  private readonly recentlyRevoked = new Map<string, number>();

  constructor(
    redisUrl: string, private readonly broker: () => Aedes | undefined, private readonly log: (m: string, e?: unknown) => void,
    private readonly channels: Pick<RedisNames, 'downlink' | 'deviceRevoked'>,
    /** How a command reaches a connected device (a zigbee2mqtt hub takes it differently), and who hears of revocations. */
    private readonly hooks: { deliver?: (deviceId: string, command: DownlinkMessage['command']) => Promise<void>; revoked?: (deviceIds: string[]) => void } = {},
  ) {
    // A subscriber waits for Redis rather than failing: downlinks resume when it is back.
    this.sub = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: null });
    this.sub.on('error', () => {});
  }

  async start(): Promise<void> {
    this.broker()?.on('clientReady', (client) => {
      const until = this.recentlyRevoked.get(client.id);
      if (until !== undefined && until > Date.now()) client.close();
    });
    this.sub.on('message', (channel: string, raw: string) => (channel === this.channels.deviceRevoked ? this.cut(raw) : this.deliver(raw)));
    await this.sub.connect().catch((err) => this.log('Redis unreachable: downlink commands wait for it', err));
    await this.sub.subscribe(this.channels.downlink, this.channels.deviceRevoked).catch((err) => this.log('downlink subscription failed', err));
  }

  private deliver(raw: string): void {
    const broker = this.broker();
    if (!broker) return;
    let message: DownlinkMessage;
    try {
      message = JSON.parse(raw) as DownlinkMessage;
      if (!Array.isArray(message.deviceIds) || typeof message.command?.type !== 'string') return;
    } catch {
      return;
    }
    // aedes keeps live clients by id; its typings omit the map.
    const clients = (broker as unknown as { clients: Record<string, unknown> }).clients;
    for (const deviceId of message.deviceIds) {
      if (typeof deviceId !== 'string' || !clients[deviceId]) continue;
      const sent = this.hooks.deliver ? this.hooks.deliver(deviceId, message.command) : sendCommand(broker, deviceId, message.command);
      sent.catch((err) => this.log(`downlink to ${deviceId} failed`, err));
    }
  }

  private cut(raw: string): void {
    const broker = this.broker();
    if (!broker) return;
    let message: DeviceRevokedMessage;
    try {
      message = JSON.parse(raw) as DeviceRevokedMessage;
      if (!Array.isArray(message.deviceIds)) return;
    } catch {
      return;
    }
    const clients = (broker as unknown as { clients: Record<string, { close(): void } | undefined> }).clients;
    const until = Date.now() + RECENT_MS;
    if (this.recentlyRevoked.size > 10_000) {
      for (const [id, t] of this.recentlyRevoked) if (t <= Date.now()) this.recentlyRevoked.delete(id);
    }
    this.hooks.revoked?.(message.deviceIds.filter((id): id is string => typeof id === 'string'));
    for (const deviceId of message.deviceIds) {
      if (typeof deviceId !== 'string') continue;
      this.recentlyRevoked.set(deviceId, until);
      clients[deviceId]?.close();
    }
  }

  async stop(): Promise<void> {
    this.sub.disconnect();
  }
}
