import type { AlertAckState } from './topics.js';

/**
 * "Help is coming" in a home with a zigbee2mqtt hub (DESIGN §5 device downlink): a siren or light
 * of the home gets a JSON payload on `<base>/<friendly_name>/set` when the alert is accepted, when
 * the responder is on site and when it is resolved. The payloads are per target, set per household
 * by an operator; the presets use only zigbee2mqtt's generic converters (`state`/`effect` of a
 * light, `warning` of an IAS WD siren), so they work on any device exposing those.
 */
export type AckPayloads = Partial<Record<AlertAckState, Record<string, unknown>>>;

export const ACK_STATES: readonly AlertAckState[] = ['accepted', 'on_site', 'resolved'];

export const ACK_PRESETS = {
  /** A light turns on with the "okay" effect when help is coming, stays on until resolved. */
  light: {
    accepted: { state: 'ON', effect: 'okay' },
    on_site: { state: 'ON' },
    resolved: { state: 'OFF' },
  },
  /** A siren flashes its strobe without sound for 30 s: seen, and nobody is startled. */
  siren: {
    accepted: { warning: { mode: 'stop', level: 'low', strobe: true, strobe_level: 'low', strobe_duty_cycle: 5, duration: 30 } },
    on_site: { warning: { mode: 'stop', strobe: false, duration: 0 } },
    resolved: { warning: { mode: 'stop', strobe: false, duration: 0 } },
  },
} satisfies Record<string, AckPayloads>;
export type AckPreset = keyof typeof ACK_PRESETS;

const MAX_PAYLOAD_BYTES = 1024;

/** Checks an operator's payloads: JSON objects per known state, small. */
export function parseAckPayloads(raw: unknown): { ok: true; value: AckPayloads } | { ok: false; reason: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, reason: 'an object keyed by accepted, on_site, resolved' };
  const out: AckPayloads = {};
  for (const [k, v] of Object.entries(raw)) {
    if (!(ACK_STATES as readonly string[]).includes(k)) return { ok: false, reason: `unknown state "${k.slice(0, 32)}": use accepted, on_site, resolved` };
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, reason: `${k}: a JSON object, e.g. {"state":"ON"}` };
    if (Buffer.byteLength(JSON.stringify(v)) > MAX_PAYLOAD_BYTES) return { ok: false, reason: `${k}: at most ${MAX_PAYLOAD_BYTES} bytes` };
    out[k as AlertAckState] = v as Record<string, unknown>;
  }
  if (Object.keys(out).length === 0) return { ok: false, reason: 'give a payload for at least one of accepted, on_site, resolved' };
  return { ok: true, value: out };
}

/** Which preset fits what a device exposes: a siren (`warning`) or a light (`state` + brightness/color). */
export function suggestAckPreset(features: readonly string[]): AckPreset | null {
  if (features.includes('warning')) return 'siren';
  if (features.includes('state') && (features.includes('brightness') || features.includes('color') || features.includes('color_temp'))) return 'light';
  return null;
}
