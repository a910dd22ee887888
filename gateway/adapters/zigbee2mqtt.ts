import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { kindMaySend } from '../../domain/device-kinds.js';
import { mapZ2mState, parseZ2mAvailability, parseZ2mTopic } from '../../domain/zigbee2mqtt-mapping.js';
import { MAX_EVENT_BYTES } from '../../domain/event-schema.js';
import { findZigbeeChild } from '../../store/devices-repository.js';
import type { DeviceSession } from '../device-session.js';
import type { Ingest } from '../ingest.js';
import type { Presence } from '../presence.js';
import type { Quarantine } from '../quarantine.js';

const CHILD_CACHE_MS = 60_000;

/**
 * A `z2m_hub` device may publish `zigbee2mqtt/…`; each message is attributed to the child
 * registered as `<hubId>/<friendly_name>` and stored like that child's own event.
 */
export class Zigbee2MqttAdapter {
  private children = new Map<string, { session: DeviceSession | null; until: number }>();

  constructor(private readonly deps: { pool: pg.Pool; ingest: Ingest; presence: Presence; quarantine: Quarantine }) {}

  /** Resolves when every event is durable; rejects (no PUBACK) when the database failed. */
  async handle(hub: DeviceSession, topic: string, payload: Buffer): Promise<void> {
    const parsed = parseZ2mTopic(topic);
    if (!parsed || parsed.kind === 'ignored') return;
    if (payload.length > MAX_EVENT_BYTES) {
      this.deps.quarantine.add(hub.deviceId, topic, payload, `too_large: ${payload.length} bytes`);
      return;
    }
    const child = await this.child(hub, parsed.friendlyName);
    if (!child) {
      this.deps.quarantine.add(hub.deviceId, topic, payload, `unknown_child: register ${hub.deviceId}/${parsed.friendlyName} first`);
      return;
    }
    const text = payload.toString('utf8');
    if (parsed.kind === 'availability') {
      const state = parseZ2mAvailability(text);
      if (state === 'online') this.deps.presence.online(child.deviceId);
      else if (state === 'offline') this.deps.presence.offline(child.deviceId);
      else this.deps.quarantine.add(hub.deviceId, topic, payload, 'bad_availability');
      return;
    }
    let state: unknown;
    try { state = JSON.parse(text); } catch { state = undefined; }
    if (typeof state !== 'object' || state === null || Array.isArray(state)) {
      this.deps.quarantine.add(hub.deviceId, topic, payload, 'not_json_object');
      return;
    }
    const events = mapZ2mState(state as Record<string, unknown>, `z2m-${Date.now()}-${randomBytes(4).toString('hex')}`, new Date());
    this.deps.presence.seen(child.deviceId);
    for (const event of events) {
      if (!kindMaySend(child.kind, event.type) && event.type !== 'heartbeat' && event.type !== 'battery') {
        this.deps.quarantine.add(hub.deviceId, topic, payload, `type_not_allowed: ${child.kind} may not send ${event.type}`);
        continue;
      }
      await this.deps.ingest.handleEvent(child, event);
    }
  }

  private async child(hub: DeviceSession, name: string): Promise<DeviceSession | null> {
    const key = `${hub.deviceId}/${name}`;
    const cached = this.children.get(key);
    if (cached && cached.until > Date.now()) return cached.session;
    const row = await findZigbeeChild(this.deps.pool, hub.deviceId, name);
    const session = row && !row.revoked
      ? { deviceId: row.id, householdId: row.householdId, kind: row.kind, room: row.room } : null;
    if (this.children.size > 50_000) this.children.clear();
    this.children.set(key, { session, until: Date.now() + CHILD_CACHE_MS });
    return session;
  }
}
