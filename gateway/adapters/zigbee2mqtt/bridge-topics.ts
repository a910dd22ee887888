import type pg from 'pg';
import type { Clock } from '../../../domain/clock.js';
import { parseBridgeDevices, parseBridgeInfo } from '../../../domain/zigbee2mqtt-bridge.js';
import { parseOnlineState } from '../../../domain/zigbee2mqtt-topic.js';
import { recordBridgeInfo, recordBridgeState, syncBridgeDevices } from '../../../store/zigbee2mqtt-repository.js';
import type { DeviceSession } from '../../device-session.js';
import type { Presence } from '../../presence.js';
import type { Quarantine } from '../../quarantine.js';
import type { HubRegistry } from './hub-registry.js';

/** bridge/devices lists every device with its exposes; a large network is a few hundred KiB. */
export const MAX_BRIDGE_BYTES = 4 * 1024 * 1024;

/**
 * `<base>/bridge/…`: the hub's own topics (zigbee2mqtt lib/extension/bridge.ts). `state` is the
 * hub's presence (its will says offline), `devices` offers its devices for registration, `info`
 * says its version and whether it sends `last_seen`. Everything else (logging, definitions,
 * groups, response/…, event) is accepted and not kept.
 */
export class BridgeTopics {
  constructor(private readonly deps: {
    pool: pg.Pool; clock: Clock; presence: Presence; quarantine: Quarantine; registry: HubRegistry;
    log: (m: string, e?: unknown) => void;
  }) {}

  async handle(hub: DeviceSession, what: string, topic: string, payload: Buffer): Promise<void> {
    if (what !== 'state' && what !== 'devices' && what !== 'info') return;
    if (payload.length > MAX_BRIDGE_BYTES) {
      this.deps.quarantine.add(hub.deviceId, topic, payload, `too_large: ${payload.length} bytes`);
      return;
    }
    const text = payload.toString('utf8');
    if (what === 'state') {
      const state = parseOnlineState(text);
      if (!state) return void this.deps.quarantine.add(hub.deviceId, topic, payload, 'bad_bridge_state');
      if (state === 'online') this.deps.presence.online(hub.deviceId);
      else this.deps.presence.offline(hub.deviceId);
      await recordBridgeState(this.deps.pool, hub.deviceId, state, this.deps.clock.now());
      return;
    }
    if (text === '') return; // a cleared retained topic
    let json: unknown;
    try { json = JSON.parse(text); } catch { return void this.deps.quarantine.add(hub.deviceId, topic, payload, 'not_json'); }
    if (what === 'info') {
      const info = parseBridgeInfo(json);
      if (info) await recordBridgeInfo(this.deps.pool, hub.deviceId, info);
      return;
    }
    const devices = parseBridgeDevices(json);
    if (!devices) return void this.deps.quarantine.add(hub.deviceId, topic, payload, 'bad_bridge_devices: a JSON array expected');
    const { added } = await syncBridgeDevices(this.deps.pool, hub.deviceId, devices, this.deps.clock.now());
    if (added > 0) this.deps.log(`hub ${hub.deviceId} offers ${added} new Zigbee device(s) for registration`);
    await this.deps.registry.reload(hub.deviceId);
  }
}
