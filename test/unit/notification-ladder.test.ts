import { describe, expect, test } from 'vitest';
import { ladderSpecProblems, ladderSteps, type LadderInput } from '../../domain/notification-ladder.js';

// 2026-11-24 is a Tuesday; 03:00 in Shanghai is 19:00 UTC the day before.
const DAY = new Date('2026-11-24T02:00:00Z'); // 10:00 local
const NIGHT = new Date('2026-11-23T19:00:00Z'); // 03:00 local
const base: LadderInput = { role: 'grid_worker', hasApp: true, severity: 'critical', at: DAY, tz: 'Asia/Shanghai' };
const plan = (over: Partial<LadderInput>) => ladderSteps({ ...base, ...over }).map((s) => `${s.group}@${s.afterS}`);

describe('ladder per person (issue 16)', () => {
  test.each<[string, Partial<LadderInput>, string[]]>([
    ['grid worker with the app: app, SMS after 60 s, call after 120 s', {}, ['app@0', 'sms@60', 'voice@120']],
    ['supervisor: role default', { role: 'supervisor' }, ['app@0', 'sms@60', 'voice@180']],
    ['role default from settings', { roleDefaults: { grid_worker: { smsAfterS: 30 } } }, ['app@0', 'sms@30', 'voice@120']],
    ['person override wins over the role default', { roleDefaults: { grid_worker: { smsAfterS: 30 } }, override: { smsAfterS: 10, voiceAfterS: 40 } }, ['app@0', 'sms@10', 'voice@40']],
    ['override with null: never called', { override: { voiceAfterS: null } }, ['app@0', 'sms@60']],
    ['family has no app: SMS at once, call after 90 s', { role: 'family_contact', hasApp: false }, ['sms@0', 'voice@90']],
    ['responder without an account: in-app record, phone at once', { hasApp: false, appListed: true }, ['app@0', 'sms@0', 'voice@60']],
    ['operator: app only', { role: 'operator' }, ['app@0']],
    ['quiet hours never apply to a critical alert', { role: 'building_leader', at: NIGHT }, ['app@0', 'sms@120']],
    ['quiet hours hold back a high alert at night', { role: 'building_leader', at: NIGHT, severity: 'high' }, ['app@0']],
    ['quiet hours do not apply by day', { role: 'building_leader', severity: 'high' }, ['app@0', 'sms@120']],
    ['quiet hours still leave an SMS to someone without the app', { role: 'family_contact', hasApp: false, severity: 'high', at: NIGHT, override: { quietHours: '22:00-07:00' } }, ['sms@0']],
  ])('%s', (_name, input, expected) => {
    expect(plan(input)).toEqual(expected);
  });

  test('steps are numbered in time order', () => {
    expect(ladderSteps({ ...base, override: { smsAfterS: 90, voiceAfterS: 90 } }).map((s) => s.step)).toEqual([0, 1, 2]);
  });

  test.each<[Record<string, unknown>, number]>([
    [{ smsAfterS: 60, voiceAfterS: 120 }, 0],
    [{ smsAfterS: -1 }, 1],
    [{ smsAfterS: 120, voiceAfterS: 60 }, 1],
    [{ quietHours: '25:00-07:00' }, 1],
    [{ quietHours: null, voiceAfterS: null }, 0],
  ])('spec %j has %i problem(s)', (spec, n) => {
    expect(ladderSpecProblems(spec)).toHaveLength(n);
  });
});
