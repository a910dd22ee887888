import type pg from 'pg';
import type { Clock } from '../../../domain/clock.js';
import { DEFAULT_BASE_TOPIC, hubBaseTopic, hubName, hubNames, type HubName } from '../../../store/zigbee2mqtt-repository.js';
import type { DeviceSession } from '../../device-session.js';

/** A registered child is re-read at least this often (a revocation also drops it at once). */
const CHILD_TTL_MS = 30_000;

interface HubEntry { baseTopic: string; names: Map<string, HubName>; loadedAt: number }

/**
 * Which friendly name of a hub is which registered child. Only registered children are cached:
 * a name that is not registered is looked up again on its next message, so a device registered
 * through the API or the CLI counts from its very first press (no negative cache).
 */
export class HubRegistry {
  private readonly hubs = new Map<string, HubEntry>();
  private readonly loading = new Map<string, Promise<HubEntry>>();

  constructor(private readonly pool: pg.Pool, private readonly clock: Clock) {}

  /** The hub's base topic; the last known one (or the default) when the database is out of reach. */
  async baseTopic(hubId: string): Promise<string> {
    try {
      return (await this.entry(hubId)).baseTopic;
    } catch {
      return this.hubs.get(hubId)?.baseTopic ?? DEFAULT_BASE_TOPIC;
    }
  }

  /** Names the hub uses, as last read (the topic parser needs them to split `<name>/<attribute>`). */
  knows(hubId: string, name: string): boolean {
    return this.hubs.get(hubId)?.names.has(name) ?? false;
  }

  async resolve(hubId: string, name: string): Promise<DeviceSession | null> {
    const hub = await this.entry(hubId);
    const known = hub.names.get(name);
    if (known?.child) return toSession(known.child);
    const fresh = await hubName(this.pool, hubId, name);
    if (fresh) hub.names.set(name, fresh);
    else hub.names.delete(name);
    return fresh?.child ? toSession(fresh.child) : null;
  }

  /** After a bridge/devices or a reconnect: read the hub's names again. */
  async reload(hubId: string): Promise<void> {
    this.hubs.delete(hubId);
    await this.entry(hubId);
  }

  forget(hubId: string): void {
    this.hubs.delete(hubId);
  }

  /** A revoked child: forget every hub's names that point at it. */
  dropChild(deviceId: string): void {
    for (const [hubId, hub] of this.hubs) {
      for (const n of hub.names.values()) if (n.child?.id === deviceId) { this.hubs.delete(hubId); break; }
    }
  }

  private entry(hubId: string): Promise<HubEntry> {
    const hub = this.hubs.get(hubId);
    if (hub && this.clock.nowMs() - hub.loadedAt < CHILD_TTL_MS) return Promise.resolve(hub);
    let loading = this.loading.get(hubId);
    if (!loading) {
      loading = (async () => {
        const [baseTopic, names] = await Promise.all([hubBaseTopic(this.pool, hubId), hubNames(this.pool, hubId)]);
        const entry = { baseTopic, names: new Map(names.map((n) => [n.friendlyName, n])), loadedAt: this.clock.nowMs() };
        this.hubs.set(hubId, entry);
        return entry;
      })().finally(() => this.loading.delete(hubId));
      this.loading.set(hubId, loading);
    }
    return loading;
  }
}

function toSession(child: NonNullable<HubName['child']>): DeviceSession {
  return { deviceId: child.id, householdId: child.householdId, kind: child.kind, room: child.room };
}
