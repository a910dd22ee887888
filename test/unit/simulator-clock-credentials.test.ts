import { describe, expect, test } from 'vitest';
import { SimClock, localHhMm, localMidnight } from '../../simulators/clock.js';
import { CredentialsError, groupByHousehold, parseCredentials, readCredentials } from '../../simulators/credentials.js';
import { eventIdGenerator } from '../../simulators/event-ids.js';
import { canPlayIncident, incidentDevice } from '../../simulators/incidents.js';
import { percentile } from '../../simulators/stats.js';

describe('SimClock', () => {
  test('simulated time runs speed times faster and maps spans back to real time', () => {
    let real = 1_000_000;
    const clock = new SimClock(60, { startAt: 5_000_000, realNow: () => real });
    expect(clock.now()).toBe(5_000_000);
    real += 1000;
    expect(clock.now()).toBe(5_060_000);
    expect(clock.realMs(3_600_000)).toBe(60_000);
    expect(clock.realDelayUntil(5_120_000)).toBe(1000);
    expect(clock.realDelayUntil(0)).toBe(0);
    expect(() => new SimClock(0)).toThrow(RangeError);
  });

  test('local wall time in the community time zone', () => {
    const t = Date.UTC(2026, 0, 1, 23, 30); // 07:30 next day in Shanghai
    expect(localHhMm(t, 'Asia/Shanghai')).toBe('07:30');
    expect(new Date(localMidnight(t, 'Asia/Shanghai')).toISOString()).toBe('2026-01-01T16:00:00.000Z');
  });
});

describe('credentials', () => {
  const good = { version: 1, devices: [
    { deviceId: 'a', secret: 's', householdId: 'h1', kind: 'sos_button', room: 'bedroom', heartbeatS: 300 },
    { deviceId: 'b', secret: 's', householdId: 'h2', kind: 'pir', room: null, heartbeatS: 60 },
    { deviceId: 'c', secret: 's', householdId: 'h1', kind: 'fall_radar', room: 'bathroom', heartbeatS: 300 },
  ] };

  test('parses and groups by household in file order', () => {
    const devices = parseCredentials(good);
    expect(groupByHousehold(devices).map((h) => [h.householdId, h.devices.map((d) => d.deviceId)])).toEqual([['h1', ['a', 'c']], ['h2', ['b']]]);
  });

  test('names the first bad entry', () => {
    expect(() => parseCredentials({ version: 2, devices: [] })).toThrow(/version/);
    expect(() => parseCredentials({ version: 1, devices: [{ ...good.devices[0], kind: 'toaster' }] })).toThrow(/devices\[0\]\.kind/);
    expect(() => parseCredentials({ version: 1, devices: [good.devices[0], good.devices[0]] })).toThrow(/twice/);
    expect(() => parseCredentials({ version: 1, devices: [{ ...good.devices[0], secret: '' }] })).toThrow(CredentialsError);
  });

  test('a missing file says to seed first', async () => {
    await expect(readCredentials('/nonexistent/demo-devices.json')).rejects.toThrow('run `npx guardian seed --demo` first');
  });
});

test('event ids are unique per device and within the schema limit', () => {
  const next = eventIdGenerator();
  const ids = Array.from({ length: 10_000 }, next);
  expect(new Set(ids).size).toBe(ids.length);
  expect(Math.max(...ids.map((i) => i.length))).toBeLessThanOrEqual(64);
});

test('incidents need the right device', () => {
  const home = [{ kind: 'pull_cord' as const }, { kind: 'pir' as const }];
  expect(incidentDevice('sos', home)?.kind).toBe('pull_cord');
  expect(canPlayIncident('fall', home)).toBe(false);
  expect(canPlayIncident('inactivity', home)).toBe(true);
  expect(canPlayIncident('offline', [])).toBe(false);
});

test('percentile uses nearest rank', () => {
  const s = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  expect(percentile(s, 50)).toBe(5);
  expect(percentile(s, 99)).toBe(10);
  expect(Number.isNaN(percentile([], 50))).toBe(true);
});
