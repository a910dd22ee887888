import { EVENT_TYPES, type EventType } from './device-kinds.js';

/**
 * The device event of DESIGN §2, validated by hand: this runs for every MQTT message, and a
 * handful of typeof checks is an order of magnitude cheaper than a generic schema library.
 */
export interface DeviceEvent {
  id: string;
  type: EventType;
  /** Device time, as the device said it. */
  ts: Date;
  value?: number | boolean | string;
  battery?: number;
  rssi?: number;
  confidence?: number;
  room?: string;
}

export const MAX_EVENT_BYTES = 4096;
const MAX_ID_LENGTH = 64;
const MAX_ROOM_LENGTH = 64;
const MAX_STRING_VALUE = 256;
const EVENT_TYPE_SET: ReadonlySet<string> = new Set(EVENT_TYPES);
/** The signals.rssi column is a smallint; real radios report about -120..0 dBm. */
const RSSI_RANGE = [-200, 200] as const;

/**
 * PostgreSQL refuses NUL in text and jsonb, and a lone UTF-16 surrogate in jsonb. Such an event
 * failed its transaction, got no PUBACK, and the device resent it forever (found by the chaos
 * fuzz): it is bad input instead.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const unstorable = (s: string) => s.includes('\u0000') || LONE_SURROGATE.test(s);

export type ParseResult = { ok: true; event: DeviceEvent } | { ok: false; reason: string };

const fail = (reason: string): ParseResult => ({ ok: false, reason });

export function parseEventPayload(payload: Buffer | string): ParseResult {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  if (size > MAX_EVENT_BYTES) return fail(`too_large: ${size} bytes > ${MAX_EVENT_BYTES}`);
  let raw: unknown;
  try {
    raw = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch {
    return fail('not_json');
  }
  return validateEvent(raw);
}

export function validateEvent(raw: unknown): ParseResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('not_an_object');
  const o = raw as Record<string, unknown>;

  if (typeof o.id !== 'string' || o.id.length === 0 || o.id.length > MAX_ID_LENGTH || unstorable(o.id)) {
    return fail(`bad_id: a string of 1-${MAX_ID_LENGTH} characters (no NUL) is required`);
  }
  if (typeof o.type !== 'string') return fail('missing_type');
  if (!EVENT_TYPE_SET.has(o.type)) return fail(`unknown_type: ${o.type.slice(0, 32)}`);
  const ts = parseTimestamp(o.ts);
  if (!ts) return fail('bad_ts: ISO-8601 or epoch milliseconds required');

  const event: DeviceEvent = { id: o.id, type: o.type as EventType, ts };
  if (o.value !== undefined) {
    const v = o.value;
    const okValue = typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))
      || (typeof v === 'string' && v.length <= MAX_STRING_VALUE && !unstorable(v));
    if (!okValue) return fail('bad_value: number, boolean or short string');
    event.value = v as DeviceEvent['value'];
  }
  if (o.battery !== undefined) {
    if (typeof o.battery !== 'number' || !(o.battery >= 0 && o.battery <= 100)) return fail('bad_battery: 0-100');
    event.battery = o.battery;
  }
  if (o.rssi !== undefined) {
    if (typeof o.rssi !== 'number' || !(o.rssi >= RSSI_RANGE[0] && o.rssi <= RSSI_RANGE[1])) return fail(`bad_rssi: a number from ${RSSI_RANGE[0]} to ${RSSI_RANGE[1]}`);
    event.rssi = o.rssi;
  }
  if (o.confidence !== undefined) {
    if (typeof o.confidence !== 'number' || !(o.confidence >= 0 && o.confidence <= 1)) return fail('bad_confidence: 0-1');
    event.confidence = o.confidence;
  }
  if (o.room !== undefined) {
    if (typeof o.room !== 'string' || o.room.length > MAX_ROOM_LENGTH || unstorable(o.room)) return fail('bad_room: string');
    event.room = o.room;
  }
  return { ok: true, event };
}

/** Accepts ISO-8601 strings and epoch milliseconds within a sane range (2000-2100). */
function parseTimestamp(value: unknown): Date | null {
  let ms: number;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string' && value.length <= 40) ms = Date.parse(value);
  else return null;
  if (!Number.isFinite(ms) || ms < 946_684_800_000 || ms > 4_102_444_800_000) return null;
  return new Date(ms);
}

/** Device clocks drift or reset; beyond these bounds the receive time is the event time. */
export const MAX_CLOCK_AHEAD_MS = 5 * 60_000;
export const MAX_CLOCK_BEHIND_MS = 24 * 3600_000;

/** The time to file an event under: device time when plausible, else receive time. */
export function effectiveEventTime(deviceTs: Date, receivedAt: Date): Date {
  const skew = deviceTs.getTime() - receivedAt.getTime();
  return skew > MAX_CLOCK_AHEAD_MS || skew < -MAX_CLOCK_BEHIND_MS ? receivedAt : deviceTs;
}
