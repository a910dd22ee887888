import { describe, expect, test } from 'vitest';
import { kindMaySend } from '../../domain/device-kinds.js';
import { validateEvent } from '../../domain/event-schema.js';
import { localMidnight, localMinuteOfDay } from '../../simulators/clock.js';
import { householdProfile, planDay, roomCategory, type PlannedAction, type RoutineDevice } from '../../simulators/household-routine.js';
import { seededRng } from '../../domain/seeded-random.js';

const TZ = 'Asia/Shanghai';
const devices: RoutineDevice[] = [
  { deviceId: 'sos-1', kind: 'sos_button', room: 'bedroom' },
  { deviceId: 'pir-bed', kind: 'pir', room: 'bedroom' },
  { deviceId: 'pir-bath', kind: 'pir', room: 'bathroom' },
  { deviceId: 'pir-kit', kind: 'pir', room: 'kitchen' },
  { deviceId: 'pir-liv', kind: 'pir', room: 'living_room' },
  { deviceId: 'radar', kind: 'fall_radar', room: 'bathroom' },
  { deviceId: 'door', kind: 'door_contact', room: 'entrance' },
  { deviceId: 'bed', kind: 'bed_sensor', room: 'bedroom' },
  { deviceId: 'water', kind: 'water_meter', room: 'kitchen' },
  { deviceId: 'smoke', kind: 'smoke_detector', room: 'kitchen' },
];
const kindOf = new Map(devices.map((d) => [d.deviceId, d.kind]));
const dayStart = localMidnight(Date.UTC(2026, 2, 10, 4), TZ);
const hour = (a: PlannedAction) => localMinuteOfDay(a.at, TZ) / 60;

function days(n: number, list = devices) {
  return Array.from({ length: n }, (_, i) => {
    const householdId = `h-${i}`;
    const profile = householdProfile(householdId, list);
    return { profile, plan: planDay({ householdId, devices: list, profile, dayStart }) };
  });
}

describe('planDay', () => {
  test('local midnight in Asia/Shanghai is 16:00 UTC the day before', () => {
    expect(new Date(dayStart).toISOString()).toBe('2026-03-09T16:00:00.000Z');
  });

  test('wake happens between 5:45 and 7:30 and bed between 20:45 and 22:30, for every home', () => {
    for (const { plan } of days(50)) {
      const wake = plan.filter((a) => a.what === 'wake');
      const bed = plan.filter((a) => a.what === 'bed' && a.action === 'event' && a.type === 'bed');
      expect(wake.length).toBeGreaterThan(0);
      expect(bed).toHaveLength(1);
      for (const a of wake) { expect(hour(a)).toBeGreaterThanOrEqual(5.75); expect(hour(a)).toBeLessThan(7.5); }
      expect(hour(bed[0]!)).toBeGreaterThanOrEqual(20.75);
      expect(hour(bed[0]!)).toBeLessThan(22.5);
      if (bed[0]!.action === 'event') expect(bed[0]!.value).toBe(true);
    }
  });

  test('only types each device kind may send, with values that pass the event schema', () => {
    for (const { plan } of days(30)) {
      for (const a of plan) {
        if (a.action !== 'event') continue;
        expect(kindMaySend(kindOf.get(a.deviceId)!, a.type), `${a.deviceId} ${a.type}`).toBe(true);
        const event = { id: 'x', type: a.type, ts: a.at, ...(a.value === undefined ? {} : { value: a.value }) };
        expect(validateEvent(event).ok).toBe(true);
      }
    }
  });

  test('actions are sorted and stay inside the day', () => {
    for (const { plan } of days(30)) {
      for (let i = 1; i < plan.length; i++) expect(plan[i]!.at).toBeGreaterThanOrEqual(plan[i - 1]!.at);
      expect(plan[0]!.at).toBeGreaterThanOrEqual(dayStart);
      expect(plan.at(-1)!.at).toBeLessThan(dayStart + 86_400_000);
    }
  });

  test('the night is quiet except for bathroom trips; the day is full of activity', () => {
    for (const { plan, profile } of days(30)) {
      const night = plan.filter((a) => a.action === 'event' && (hour(a) < 5.5 || hour(a) > 22.6));
      for (const a of night) expect(a.what).toBe('night bathroom trip');
      expect(new Set(night.filter((a) => a.action === 'event' && a.type === 'bed' && a.value === false).map((a) => a.at)).size)
        .toBeLessThanOrEqual(profile.nightTripsMax);
      const daytime = plan.filter((a) => a.action === 'event' && hour(a) >= 8 && hour(a) < 20);
      expect(daytime.length).toBeGreaterThan(10);
    }
  });

  test('morning market trips open and close the door and come back', () => {
    const withMarket = days(40).map((d) => d.plan).filter((p) => p.some((a) => a.what.startsWith('morning market')));
    expect(withMarket.length).toBeGreaterThan(5);
    for (const plan of withMarket) {
      const door = plan.filter((a) => a.action === 'event' && a.type === 'door' && a.what.startsWith('morning market'));
      expect(door.map((a) => (a.action === 'event' ? a.value : null))).toEqual(['open', 'closed', 'open', 'closed']);
      expect(hour(door[0]!)).toBeGreaterThan(6.5);
      expect(hour(door.at(-1)!)).toBeLessThan(11.5);
    }
  });

  test('the same household and day plan identically; another day differs', () => {
    const profile = householdProfile('h-x', devices);
    const a = planDay({ householdId: 'h-x', devices, profile, dayStart });
    const b = planDay({ householdId: 'h-x', devices, profile, dayStart });
    const c = planDay({ householdId: 'h-x', devices, profile, dayStart: dayStart + 86_400_000 });
    expect(b).toEqual(a);
    expect(c.map((x) => x.at - 86_400_000)).not.toEqual(a.map((x) => x.at));
  });

  test('a home with only an SOS button and one PIR of unknown room still shows motion', () => {
    const small: RoutineDevice[] = [{ deviceId: 's', kind: 'sos_button', room: null }, { deviceId: 'p', kind: 'pir', room: '储物间' }];
    const plan = planDay({ householdId: 'h-small', devices: small, profile: householdProfile('h-small', small), dayStart, rng: seededRng(1) });
    expect(plan.filter((a) => a.action === 'event' && a.type === 'motion').length).toBeGreaterThan(10);
    expect(plan.every((a) => a.action !== 'event' || a.deviceId === 'p')).toBe(true);
  });

  test('dropouts can be switched off; batteries start plausible and a few homes are low', () => {
    const list = days(200);
    expect(list.every(({ profile }) => Object.values(profile.battery).every((b) => b >= 1 && b <= 100))).toBe(true);
    const low = list.filter(({ profile }) => Object.values(profile.battery).some((b) => b < 20)).length;
    expect(low).toBeGreaterThan(0);
    expect(low).toBeLessThan(40);
    const profile = householdProfile('h-1', devices);
    const plan = planDay({ householdId: 'h-1', devices, profile: { ...profile, dropoutProb: 1 }, dayStart, dropouts: false });
    expect(plan.some((a) => a.action === 'dropout')).toBe(false);
    const withDrops = planDay({ householdId: 'h-1', devices, profile: { ...profile, dropoutProb: 1 }, dayStart });
    expect(withDrops.filter((a) => a.action === 'dropout')).toHaveLength(devices.length);
  });
});

test('roomCategory understands English and Chinese room names', () => {
  expect(roomCategory('卫生间')).toBe('bathroom');
  expect(roomCategory('master_bedroom')).toBe('bedroom');
  expect(roomCategory('客厅')).toBe('living');
  expect(roomCategory('Kitchen')).toBe('kitchen');
  expect(roomCategory('entrance')).toBe('entrance');
  expect(roomCategory(null)).toBe('other');
});
