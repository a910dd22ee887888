import { createHash } from 'node:crypto';
import type { DeviceKind, EventType } from './device-kinds.js';
import type { DeviceEvent } from './event-schema.js';

/**
 * zigbee2mqtt state → our events (DESIGN §2 z2m_hub). zigbee2mqtt publishes a device's whole
 * cached state with every message (and again on start, and on every `last_seen` update), so a
 * message is read against the child's last state and only changes (edges) become events: a door
 * sensor's hourly report with `contact` unchanged is no sign of life, a cached
 * `fall_down_status:"fall"` is no new fall. `action` is the exception: zigbee2mqtt never caches
 * it (lib/state.ts), so its presence is the press itself.
 *
 * The child's kind is read first: any press of a `sos_button` or `pull_cord` child is an SOS,
 * whatever its action value (HS1EB says single/double/hold, SNZB-01 single/double/long, WXKG11LM
 * single/double/triple/quadruple/hold/release). Then the fields, as zigbee-herdsman-converters
 * names them. Pure: the adapter stores what this returns.
 */
export type Z2mState = Record<string, unknown>;

export interface Z2mMapped {
  /** Events for the changes in this message, ids derived from `idBase`. */
  events: DeviceEvent[];
  /** The state to keep: the previous one with this message's cacheable fields merged in. */
  state: Z2mState;
  /** `last_seen` of the message (zigbee2mqtt `advanced.last_seen`), when present and readable. */
  deviceTs: Date | null;
  battery: number | undefined;
  /** zigbee2mqtt `linkquality`: the 0-255 LQI of the last frame, not an RSSI in dBm. */
  linkQuality: number | undefined;
  /** `battery_low: true` or `battery_state: "low"` appeared in this message. */
  batteryLowRaised: boolean;
}

/** Keys zigbee2mqtt does not cache (lib/state.ts): they describe one event, not a state. */
const EVENT_ONLY = /^(action(_.*)?|button(_left|_right)?|forgotten|keyerror|step_size|transition_time|step_mode)$/;
/** Bookkeeping we never compare: they change with every message. */
const VOLATILE = new Set(['last_seen', 'linkquality', 'elapsed', 'device']);
const SOS_FIELD = /^(sos|emergency|panic|sos_alarm(_\d+)?|alarm_sos)$/;
const PRESS_KINDS: ReadonlySet<DeviceKind> = new Set(['sos_button', 'pull_cord']);
const FALL_VALUES = new Set(['fall', 'fall_alarm', 'falling', 'fallen']);
const ABSENT_VALUES = new Set(['none', 'no_presence', 'unoccupied', 'absent', 'off']);

/**
 * The id base of one MQTT message: a QoS 1 resend carries the same packet id and payload, so it
 * maps to the same event ids and is stored once (signal dedupe, DESIGN §2); two presses are two
 * packets with different ids. `packetId` is absent for QoS 0 (which is never resent).
 */
export function z2mEventIdBase(childId: string, topic: string, payload: Buffer | string, packetId: number | undefined, receivedAtMs: number): string {
  const h = createHash('sha256').update(childId).update('\0').update(topic).update('\0').update(payload).update('\0')
    .update(packetId === undefined ? `t${receivedAtMs}` : `p${packetId}`);
  return `z2m-${h.digest('hex').slice(0, 20)}`;
}

export function mapZ2mMessage(kind: DeviceKind, prev: Z2mState | null, message: Z2mState, idBase: string, receivedAt: Date): Z2mMapped {
  const before = prev ?? {};
  const state: Z2mState = { ...before };
  for (const [k, v] of Object.entries(message)) if (!EVENT_ONLY.test(k) && !VOLATILE.has(k)) state[k] = v;

  const deviceTs = parseLastSeen(message.last_seen);
  const ts = deviceTs ?? receivedAt;
  const battery = typeof message.battery === 'number' && message.battery >= 0 && message.battery <= 100 ? message.battery : undefined;
  const linkQuality = typeof message.linkquality === 'number' && message.linkquality >= 0 && message.linkquality <= 255 ? Math.round(message.linkquality) : undefined;

  const events: DeviceEvent[] = [];
  const push = (tag: string, type: EventType, value?: DeviceEvent['value']) => {
    if (events.some((e) => e.type === type && e.value === value)) return;
    const e: DeviceEvent = { id: `${idBase}-${tag}`.slice(0, 64), type, ts };
    if (value !== undefined) e.value = value;
    if (battery !== undefined) e.battery = battery;
    events.push(e);
  };
  /** The field is in this message and differs from the last state (absent before counts as `absentAs`). */
  const changed = (key: string, absentAs: unknown = undefined) => key in message && !VOLATILE.has(key)
    && (key in before ? before[key] : absentAs) !== message[key];
  const rose = (key: string, isOn: (v: unknown) => boolean) => changed(key) && isOn(message[key]) && !(key in before && isOn(before[key]));

  // 1. By the child's kind: any press of an emergency button or pull cord is an SOS.
  const action = typeof message.action === 'string' ? message.action.trim() : '';
  if (action !== '' && PRESS_KINDS.has(kind)) push('action', 'sos', action.slice(0, 64));

  // 2. By field.
  if (action !== '' && !PRESS_KINDS.has(kind)) {
    if (action === 'sos' || action === 'emergency' || action === 'panic') push('action', 'sos', action);
    else push('action', 'button', action.slice(0, 64));
  }
  for (const key of Object.keys(message)) {
    if (SOS_FIELD.test(key) && rose(key, (v) => v === true || v === 'alarm' || v === 'ON')) push(key, 'sos', key);
  }
  for (const key of ['fall_down_status', 'fall_status', 'fall']) {
    if (rose(key, (v) => v === true || (typeof v === 'string' && FALL_VALUES.has(v)))) push(key, 'fall', String(message[key]));
  }
  if (rose('status', (v) => typeof v === 'string' && FALL_VALUES.has(v))) push('status', 'fall', String(message.status));
  if (rose('smoke', (v) => v === true)) push('smoke', 'smoke', true);
  if (rose('gas', (v) => v === true)) push('gas', 'gas', true);
  if (rose('carbon_monoxide', (v) => v === true)) push('carbon_monoxide', 'gas', 'carbon_monoxide');
  if (rose('water_leak', (v) => v === true)) push('water_leak', 'water_leak', true);

  // Signs of life: only a change is one. A first report of a PIR/radar seeing someone counts;
  // a door's first report says where the door is, not that anyone moved it.
  if (typeof message.occupancy === 'boolean' && changed('occupancy', false)) push('occupancy', 'motion', message.occupancy);
  if (typeof message.presence === 'boolean' && changed('presence', false)) push('presence', 'presence', message.presence);
  if (typeof message.presence_state === 'string' && changed('presence_state', 'none')) {
    const v = message.presence_state.toLowerCase();
    push('presence_state', 'presence', ABSENT_VALUES.has(v) ? false : v.slice(0, 64));
  }
  if (typeof message.presence_event === 'string' && message.presence_event !== '' && changed('presence_event')) {
    push('presence_event', 'presence', message.presence_event.slice(0, 64));
  }
  if (typeof message.movement === 'string' && changed('movement') && /^(movement|moving|move|large_movement|small_movement)$/.test(message.movement)) {
    push('movement', 'motion', true);
  }
  if (typeof message.contact === 'boolean' && 'contact' in before && changed('contact')) {
    // zigbee2mqtt: contact=true means the magnet is near, i.e. the door is closed.
    push('contact', 'door', message.contact ? 'closed' : 'open');
  }
  if (battery !== undefined && changed('battery')) push('battery', 'battery', battery);

  const batteryLowRaised = rose('battery_low', (v) => v === true) || rose('battery_state', (v) => v === 'low');
  return { events, state, deviceTs, battery, linkQuality, batteryLowRaised };
}

/** zigbee2mqtt `last_seen`: ISO 8601 (UTC or local with offset) or epoch milliseconds. */
export function parseLastSeen(value: unknown): Date | null {
  let ms: number;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string' && value.length <= 40) ms = Date.parse(value);
  else return null;
  return Number.isFinite(ms) && ms > 946_684_800_000 && ms < 4_102_444_800_000 ? new Date(ms) : null;
}

/** A single-attribute message (`output: attribute`): the payload is the bare value. */
export function attributeMessage(attribute: string, payload: string): Z2mState {
  let value: unknown = payload;
  try { value = JSON.parse(payload); } catch { /* a bare string such as `single` */ }
  return { [attribute]: value };
}
