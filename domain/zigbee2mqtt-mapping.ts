import type { EventType } from './device-kinds.js';
import type { DeviceEvent } from './event-schema.js';
import { Z2M_ROOT } from './topics.js';

/**
 * zigbee2mqtt → our events (DESIGN §2). zigbee2mqtt publishes each device's whole state as
 * JSON on `zigbee2mqtt/<friendly_name>` and its availability on `…/<friendly_name>/availability`.
 * Pure: the gateway adapter looks up the child device and stores what this returns.
 */
export type Z2mTopic =
  | { kind: 'state'; friendlyName: string }
  | { kind: 'availability'; friendlyName: string }
  | { kind: 'ignored' };

export function parseZ2mTopic(topic: string): Z2mTopic | null {
  if (!topic.startsWith(Z2M_ROOT + '/')) return null;
  const rest = topic.slice(Z2M_ROOT.length + 1);
  // bridge/* is zigbee2mqtt's own state; /set, /get are commands to devices.
  if (rest === '' || rest.startsWith('bridge/') || rest === 'bridge') return { kind: 'ignored' };
  if (rest.endsWith('/availability')) return { kind: 'availability', friendlyName: rest.slice(0, -'/availability'.length) };
  if (/\/(set|get)(\/.*)?$/.test(rest)) return { kind: 'ignored' };
  return { kind: 'state', friendlyName: rest };
}

/** Availability is `online`/`offline` (legacy) or `{"state":"online"}`. */
export function parseZ2mAvailability(payload: string): 'online' | 'offline' | null {
  let value: unknown = payload.trim();
  try { value = JSON.parse(payload); } catch { /* legacy plain string */ }
  const state = typeof value === 'object' && value !== null ? (value as { state?: unknown }).state : value;
  return state === 'online' || state === 'offline' ? state : null;
}

type Z2mState = Record<string, unknown>;

/** Maps one zigbee2mqtt state message to events; `idPrefix` makes their ids unique. */
export function mapZ2mState(state: Z2mState, idPrefix: string, at: Date): DeviceEvent[] {
  const events: DeviceEvent[] = [];
  const rssi = typeof state.linkquality === 'number' ? state.linkquality : undefined;
  const battery = typeof state.battery === 'number' && state.battery >= 0 && state.battery <= 100 ? state.battery : undefined;
  const push = (type: EventType, value?: DeviceEvent['value']) => {
    const e: DeviceEvent = { id: `${idPrefix}-${events.length}`, type, ts: at };
    if (value !== undefined) e.value = value;
    if (battery !== undefined) e.battery = battery;
    if (rssi !== undefined) e.rssi = rssi;
    events.push(e);
  };

  if (state.action === 'emergency') push('sos');
  if (state.fall_down_status === 'fall' || state.fall_status === 'fall_alarm') push('fall');
  if (state.smoke === true) push('smoke', true);
  if (state.gas === true) push('gas', true);
  if (state.water_leak === true) push('water_leak', true);
  if (typeof state.occupancy === 'boolean') push('motion', state.occupancy);
  // zigbee2mqtt: contact=true means the magnet is near, i.e. the door is closed.
  if (typeof state.contact === 'boolean') push('door', state.contact ? 'closed' : 'open');
  if (events.length === 0 && battery !== undefined) push('battery', battery);
  if (events.length === 0 && rssi !== undefined) push('heartbeat');
  return events;
}
