import { expect, test } from 'vitest';
import { jobLatenessMs } from '../../dispatcher/escalation-worker.js';
import { ackTimerOf, timersFor, type TimerAlert } from '../../dispatcher/timer-plan.js';

const config = { ACK_TIMEOUT_S: 180, SLA_WARN_S: 600, SLA_ONSITE_S: 900, ARRIVE_REMIND_S: 300 };
const t0 = new Date('2026-05-12T02:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const alert = (over: Partial<TimerAlert> = {}): TimerAlert => ({
  id: 'a1', kind: 'sos', state: 'notified', level: 0, firstSignalAt: t0, routedAt: at(1), levelStartedAt: at(1),
  acceptedAt: null, acceptedBy: null, onSiteAt: null, slaWarned: false, onsiteBreached: false, ...over,
});
const summary = (a: TimerAlert) => timersFor(a, config).map((t) => [t.job.type, 'level' in t.job ? t.job.level : null, t.dueAt.getTime() - t0.getTime()]);

test('a notified alert: ack timer from the level start, SLA timers from the first signal', () => {
  expect(summary(alert({ level: 1, levelStartedAt: at(181) }))).toEqual([
    ['ack_timeout', 1, 361_000], ['sla_warn', null, 600_000], ['sla_breach', null, 900_000]]);
});

test('flags already set are not re-armed; an unrouted alert has no ack timer yet', () => {
  expect(summary(alert({ slaWarned: true }))).toEqual([['ack_timeout', 0, 181_000], ['sla_breach', null, 900_000]]);
  expect(summary(alert({ routedAt: null, levelStartedAt: null, state: 'open' }))).toEqual([['sla_warn', null, 600_000], ['sla_breach', null, 900_000]]);
});

test('accepted: no ack timer, SLA still runs, arrival reminder ARRIVE_REMIND_S after the accept', () => {
  expect(summary(alert({ state: 'accepted', acceptedAt: at(60), acceptedBy: 'r1' }))).toEqual([
    ['sla_warn', null, 600_000], ['sla_breach', null, 900_000], ['arrive_remind', null, 360_000]]);
});

test('on site, closed, or maintenance: nothing (maintenance keeps only its ack timer)', () => {
  expect(summary(alert({ state: 'on_site', acceptedAt: at(60), acceptedBy: 'r1', onSiteAt: at(500) }))).toEqual([]);
  expect(summary(alert({ state: 'resolved' }))).toEqual([]);
  expect(summary(alert({ state: 'cancelled' }))).toEqual([]);
  expect(summary(alert({ kind: 'battery_low' }))).toEqual([['ack_timeout', 0, 181_000]]);
});

test('an escalation re-arms only the new level\'s ack timer (the SLA timers do not move with the level)', () => {
  const escalated = alert({ level: 1, levelStartedAt: at(181) });
  expect(ackTimerOf(escalated, config).map((t) => [t.job.type, 'level' in t.job ? t.job.level : null, t.dueAt.getTime() - t0.getTime()])).toEqual([['ack_timeout', 1, 361_000]]);
  expect(ackTimerOf(alert({ state: 'accepted', acceptedAt: at(60), acceptedBy: 'r1' }), config)).toEqual([]);
});

test('timer lateness = now − (enqueued at + delay)', () => {
  expect(jobLatenessMs({ timestamp: 1000, opts: { delay: 500 } }, 1600)).toBe(100);
  expect(jobLatenessMs({ timestamp: 1000, opts: {} }, 1000)).toBe(0);
});

test('DISPATCH_POLICY=nearest: the next wave DISPATCH_WAVE_S after routing; the backup at expected arrival + margin or BACKUP_AFTER_S', () => {
  const nearest = { ...config, DISPATCH_POLICY: 'nearest' as const, DISPATCH_WAVE_S: 60, BACKUP_AFTER_S: 480, BACKUP_MARGIN_S: 180 };
  const plan = (a: TimerAlert) => timersFor(a, nearest).filter((t) => t.job.type === 'dispatch_wave' || t.job.type === 'backup')
    .map((t) => [t.job.type, t.dueAt.getTime() - t0.getTime()]);
  expect(plan(alert())).toEqual([['dispatch_wave', 61_000]]);
  expect(plan(alert({ level: 1 }))).toEqual([]);
  expect(plan(alert({ state: 'accepted', acceptedAt: at(40), acceptedBy: 'r1', expectedArrivalAt: at(160) }))).toEqual([['backup', 340_000]]);
  expect(plan(alert({ state: 'accepted', acceptedAt: at(40), acceptedBy: 'r1', expectedArrivalAt: null }))).toEqual([['backup', 480_000]]);
  expect(plan(alert({ state: 'on_site', acceptedAt: at(40), acceptedBy: 'r1', onSiteAt: at(300) }))).toEqual([]);
  // page_all (and no policy given): neither.
  expect(timersFor(alert({ state: 'accepted', acceptedAt: at(40), acceptedBy: 'r1' }), { ...nearest, DISPATCH_POLICY: 'page_all' }).map((t) => t.job.type))
    .not.toContain('backup');
});
