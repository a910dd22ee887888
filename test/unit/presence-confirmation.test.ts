import { describe, expect, test } from 'vitest';
import { confirmsPresence, presenceConfirmation, type PresenceSignal } from '../../domain/presence-confirmation.js';

const T = new Date('2026-12-06T20:00:00+08:00');
const at = (s: number) => new Date(T.getTime() + s * 1000);
const sig = (type: string, value: unknown, s: number, deviceId = 'd1'): PresenceSignal => ({ deviceId, deviceKind: 'door_contact', type, value, at: at(s) });

describe('presence confirmation', () => {
  test('which signals say someone is there', () => {
    expect(confirmsPresence({ type: 'door', value: 'open' })).toBe(true);
    expect(confirmsPresence({ type: 'door', value: { state: 'open' } })).toBe(true);
    expect(confirmsPresence({ type: 'door', value: 'closed' })).toBe(false);
    expect(confirmsPresence({ type: 'presence', value: true })).toBe(true);
    expect(confirmsPresence({ type: 'presence', value: false })).toBe(false);
    expect(confirmsPresence({ type: 'presence', value: 'absent' })).toBe(false);
    expect(confirmsPresence({ type: 'button', value: { action: 'single' } })).toBe(true);
    expect(confirmsPresence({ type: 'motion', value: true })).toBe(false);
    expect(confirmsPresence({ type: 'heartbeat', value: null })).toBe(false);
  });

  test('the confirming signal nearest the press inside ±180 s; none outside', () => {
    const got = presenceConfirmation(T, [sig('door', 'open', -170, 'far'), sig('door', 'closed', -5), sig('presence', true, 30, 'near'), sig('door', 'open', 400)]);
    expect(got).toEqual({ deviceId: 'near', deviceKind: 'door_contact', signalType: 'presence', signalAt: at(30).toISOString(), offsetS: 30 });
    expect(presenceConfirmation(T, [sig('door', 'open', -181), sig('button', null, 181)])).toBeNull();
    expect(presenceConfirmation(T, [sig('door', 'open', -180)])?.offsetS).toBe(-180);
  });
});
