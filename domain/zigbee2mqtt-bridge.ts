import type { DeviceKind } from './device-kinds.js';

/**
 * What a zigbee2mqtt hub says about itself and its network (bridge/devices, bridge/info), read
 * into the few fields registration needs. The payloads are zigbee2mqtt's own (lib/extension/
 * bridge.ts publishDevices/publishInfo), so every field is optional and checked.
 */
export interface OfferedDevice {
  ieee: string;
  friendlyName: string;
  vendor: string | null;
  model: string | null;
  description: string | null;
  powerSource: string | null;
  zigbeeType: string | null;
  /** Exposed properties (action, contact, occupancy, presence…), nested features flattened. */
  features: string[];
  supported: boolean;
}

const IEEE = /^0x[0-9a-f]{16}$/;
const str = (v: unknown, max = 200): string | null => (typeof v === 'string' && v.length > 0 ? v.slice(0, max) : null);

/** Normalises an IEEE address as zigbee2mqtt writes it (`0x00158d0001a2b3c4`); null if it is not one. */
export function normalizeIeee(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const v = value.trim().toLowerCase();
  const withPrefix = v.startsWith('0x') ? v : `0x${v}`;
  return IEEE.test(withPrefix) ? withPrefix : null;
}

/** bridge/devices → the devices a hub offers (the coordinator and malformed entries left out). */
export function parseBridgeDevices(json: unknown): OfferedDevice[] | null {
  if (!Array.isArray(json)) return null;
  const out: OfferedDevice[] = [];
  for (const raw of json) {
    if (typeof raw !== 'object' || raw === null) continue;
    const d = raw as Record<string, unknown>;
    if (d.type === 'Coordinator') continue;
    const ieee = normalizeIeee(d.ieee_address);
    const friendlyName = str(d.friendly_name, 256);
    if (!ieee || !friendlyName) continue;
    const def = (typeof d.definition === 'object' && d.definition !== null ? d.definition : {}) as Record<string, unknown>;
    out.push({
      ieee, friendlyName,
      vendor: str(def.vendor) ?? str(d.manufacturer),
      model: str(def.model) ?? str(d.model_id),
      description: str(def.description) ?? str(d.description),
      powerSource: str(d.power_source, 64),
      zigbeeType: str(d.type, 32),
      features: exposedProperties(def.exposes),
      supported: d.supported !== false,
    });
  }
  return out;
}

function exposedProperties(exposes: unknown, into = new Set<string>()): string[] {
  if (Array.isArray(exposes)) {
    for (const e of exposes) {
      if (typeof e !== 'object' || e === null) continue;
      const x = e as { property?: unknown; features?: unknown };
      if (typeof x.property === 'string' && x.property.length <= 64) into.add(x.property);
      if (x.features) exposedProperties(x.features, into);
    }
  }
  return [...into].slice(0, 64);
}

export interface BridgeInfo { version: string | null; coordinator: string | null; lastSeen: string | null }

/** bridge/info → version, coordinator and the hub's `advanced.last_seen` (device time needs it on). */
export function parseBridgeInfo(json: unknown): BridgeInfo | null {
  if (typeof json !== 'object' || json === null) return null;
  const i = json as { version?: unknown; coordinator?: { ieee_address?: unknown }; config?: { advanced?: { last_seen?: unknown } } };
  return {
    version: str(i.version, 64),
    coordinator: normalizeIeee(i.coordinator?.ieee_address),
    lastSeen: str(i.config?.advanced?.last_seen, 32),
  };
}

/**
 * A first guess at the kind an operator will confirm, from what the device exposes. Emergency
 * buttons only say `action` (HS1EB, SNZB-01, WXKG11LM) or `sos`; the operator decides whether a
 * button is an SOS button, so a plain button is offered as one (the safe side).
 */
export function suggestChildKind(features: readonly string[]): DeviceKind | null {
  const has = (...names: string[]) => names.some((n) => features.includes(n));
  if (has('sos', 'emergency')) return 'sos_button';
  if (has('fall_down_status', 'fall_status') || (has('status') && has('breathing_rate'))) return 'fall_radar';
  if (has('smoke')) return 'smoke_detector';
  if (has('gas', 'carbon_monoxide')) return 'gas_detector';
  if (has('water_leak')) return 'leak_sensor';
  if (has('contact')) return 'door_contact';
  if (has('presence', 'presence_state', 'movement')) return 'pir';
  if (has('occupancy')) return 'pir';
  if (has('action')) return 'sos_button';
  return null;
}

/**
 * Heartbeat expectations of Zigbee children (DESIGN §4: offline = silent for 3 × heartbeat).
 * Zigbee sensors do not report on a fixed short period: battery devices sleep and report battery
 * at most every ~17 h (zigbee-herdsman-converters' battery reporting, max interval 62,000 s),
 * Xiaomi/Aqara send a heartbeat about hourly, and zigbee2mqtt itself declares a battery device
 * unavailable after 25 h (availability.passive.timeout 1,500 min). So a battery child is offline
 * after 24 h of silence (8 h × 3) and a mains-powered one (radars, routers) after 3 h (1 h × 3).
 */
export const ZIGBEE_BATTERY_HEARTBEAT_S = 8 * 3600;
export const ZIGBEE_MAINS_HEARTBEAT_S = 3600;

/** Kinds that are mains-powered when the hub did not say (mmWave radars need power). */
const MAINS_KINDS: ReadonlySet<DeviceKind> = new Set(['fall_radar', 'gas_detector']);

export function childHeartbeatS(kind: DeviceKind, powerSource: string | null): number {
  if (powerSource) return /battery/i.test(powerSource) ? ZIGBEE_BATTERY_HEARTBEAT_S : ZIGBEE_MAINS_HEARTBEAT_S;
  return MAINS_KINDS.has(kind) ? ZIGBEE_MAINS_HEARTBEAT_S : ZIGBEE_BATTERY_HEARTBEAT_S;
}
