import { describe, expect, test } from 'vitest';
import { effectiveEventTime, MAX_EVENT_BYTES, parseEventPayload } from '../../domain/event-schema.js';

const ok = (o: object) => parseEventPayload(JSON.stringify(o));
const reason = (r: ReturnType<typeof parseEventPayload>) => (r.ok ? 'ok' : r.reason.split(':')[0]);

describe('device event validation (DESIGN §2)', () => {
  test('a complete event parses, ISO and epoch-ms timestamps alike', () => {
    const iso = ok({ id: 'e1', type: 'fall', ts: '2026-11-24T08:00:00+08:00', value: true, battery: 80, rssi: -60, confidence: 0.93, room: '卫生间' });
    expect(iso).toEqual({ ok: true, event: { id: 'e1', type: 'fall', ts: new Date('2026-11-24T00:00:00Z'), value: true, battery: 80, rssi: -60, confidence: 0.93, room: '卫生间' } });
    const ms = ok({ id: 'e2', type: 'heartbeat', ts: 1_795_000_000_000 });
    expect(ms.ok && ms.event.ts.getTime()).toBe(1_795_000_000_000);
  });

  test.each([
    ['not_json', '{"id":'],
    ['not_an_object', '[1,2]'],
    ['not_an_object', 'null'],
    ['bad_id', JSON.stringify({ type: 'sos', ts: 1_795_000_000_000 })],
    ['bad_id', JSON.stringify({ id: 'x'.repeat(65), type: 'sos', ts: 1_795_000_000_000 })],
    ['bad_id', JSON.stringify({ id: 7, type: 'sos', ts: 1_795_000_000_000 })],
    ['missing_type', JSON.stringify({ id: 'a', ts: 1_795_000_000_000 })],
    ['unknown_type', JSON.stringify({ id: 'a', type: 'explode', ts: 1_795_000_000_000 })],
    ['bad_ts', JSON.stringify({ id: 'a', type: 'sos' })],
    ['bad_ts', JSON.stringify({ id: 'a', type: 'sos', ts: 'yesterday' })],
    ['bad_ts', JSON.stringify({ id: 'a', type: 'sos', ts: 12 })],
    ['bad_value', JSON.stringify({ id: 'a', type: 'motion', ts: 1_795_000_000_000, value: { nested: true } })],
    ['bad_value', JSON.stringify({ id: 'a', type: 'motion', ts: 1_795_000_000_000, value: 'v'.repeat(300) })],
    ['bad_battery', JSON.stringify({ id: 'a', type: 'battery', ts: 1_795_000_000_000, battery: 101 })],
    ['bad_battery', JSON.stringify({ id: 'a', type: 'battery', ts: 1_795_000_000_000, battery: '50' })],
    ['bad_rssi', JSON.stringify({ id: 'a', type: 'heartbeat', ts: 1_795_000_000_000, rssi: 'weak' })],
    ['bad_confidence', JSON.stringify({ id: 'a', type: 'fall', ts: 1_795_000_000_000, confidence: 1.5 })],
    ['bad_room', JSON.stringify({ id: 'a', type: 'fall', ts: 1_795_000_000_000, room: 3 })],
  ])('%s: %s', (expected, payload) => {
    expect(reason(parseEventPayload(payload))).toBe(expected);
  });

  test('payloads over 4 KB are refused before parsing', () => {
    const big = JSON.stringify({ id: 'a', type: 'sos', ts: 1_795_000_000_000, room: 'r', pad: 'x'.repeat(MAX_EVENT_BYTES) });
    expect(reason(parseEventPayload(Buffer.from(big)))).toBe('too_large');
  });

  test('a device clock far ahead or far behind is filed under the receive time', () => {
    const now = new Date('2026-11-24T10:00:00Z');
    expect(effectiveEventTime(new Date('2026-11-24T09:59:00Z'), now)).toEqual(new Date('2026-11-24T09:59:00Z'));
    expect(effectiveEventTime(new Date('2026-11-24T11:00:00Z'), now)).toEqual(now);
    expect(effectiveEventTime(new Date('2026-11-20T10:00:00Z'), now)).toEqual(now);
  });
});
