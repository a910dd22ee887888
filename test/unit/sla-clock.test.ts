import { describe, expect, it } from 'vitest';
import { ALERT_KINDS } from '../../domain/alert-kinds.js';
import {
  ackDeadline, arriveRemindAt, slaApplies, slaDeadlines, slaStatus, timeToAccept, timeToOnSite, type SlaAlert,
} from '../../domain/sla-clock.js';

const T0 = new Date('2026-03-02T02:00:00Z');
const plus = (s: number) => new Date(T0.getTime() + s * 1000);
const CONFIG = { slaWarnS: 600, slaOnsiteS: 900 };

describe('deadlines', () => {
  it('count from the first signal', () => {
    expect(slaDeadlines(T0, CONFIG)).toEqual({ warnAt: plus(600), breachAt: plus(900) });
    expect(slaDeadlines(T0, { slaWarnS: 2.5, slaOnsiteS: 4 })).toEqual({ warnAt: new Date(T0.getTime() + 2500), breachAt: plus(4) });
  });
  it('ack and arrival reminders count from their own start', () => {
    expect(ackDeadline(plus(180), 180)).toEqual(plus(360));
    expect(arriveRemindAt(plus(100), 300)).toEqual(plus(400));
  });
  it('apply to emergencies, not to maintenance alerts', () => {
    expect(ALERT_KINDS.filter(slaApplies)).toEqual(['sos', 'fall', 'smoke', 'gas', 'water_leak', 'inactivity', 'household_unmonitored', 'wandering']);
  });
});

describe('slaStatus while running', () => {
  const live: SlaAlert = { state: 'notified', firstSignalAt: T0 };
  const cases: Array<[number, string, number]> = [
    [0, 'ok', 900_000], [599.999, 'ok', 300_001], [600, 'warn', 300_000], [899.999, 'warn', 1], [900, 'breach', 0], [1000, 'breach', -100_000],
  ];
  it.each(cases)('at +%ss: %s, %d ms left', (s, status, remainingMs) => {
    const r = slaStatus(live, new Date(T0.getTime() + s * 1000), CONFIG);
    expect(r).toMatchObject({ status, remainingMs, running: true, stoppedAt: null, stoppedBy: null, warnAt: plus(600), breachAt: plus(900) });
  });
  it('an accepted alert still runs until someone is on site', () => {
    expect(slaStatus({ state: 'accepted', firstSignalAt: T0 }, plus(700), CONFIG).status).toBe('warn');
  });
});

describe('slaStatus once stopped', () => {
  it('on site in time is met, and the countdown freezes', () => {
    const a: SlaAlert = { state: 'on_site', firstSignalAt: T0, onSiteAt: plus(700) };
    expect(slaStatus(a, plus(5000), CONFIG)).toMatchObject({ status: 'met', remainingMs: 200_000, running: false, stoppedAt: plus(700), stoppedBy: 'on_site' });
  });
  it('on site too late stays a breach', () => {
    const a: SlaAlert = { state: 'resolved', firstSignalAt: T0, onSiteAt: plus(901), closedAt: plus(2000) };
    expect(slaStatus(a, plus(5000), CONFIG)).toMatchObject({ status: 'breach', remainingMs: -1000, stoppedBy: 'on_site' });
  });
  it('closed without a visit stops at closedAt', () => {
    expect(slaStatus({ state: 'cancelled', firstSignalAt: T0, closedAt: plus(30) }, plus(5000), CONFIG))
      .toMatchObject({ status: 'met', remainingMs: 870_000, stoppedBy: 'closed' });
    expect(slaStatus({ state: 'resolved', firstSignalAt: T0, closedAt: plus(1200) }, plus(5000), CONFIG))
      .toMatchObject({ status: 'breach', stoppedBy: 'closed' });
    expect(slaStatus({ state: 'cancelled', firstSignalAt: T0 }, plus(10), CONFIG)).toMatchObject({ status: 'met', stoppedAt: plus(10) });
  });
});

describe('report durations', () => {
  it('measure from the first signal, null when it never happened', () => {
    expect(timeToAccept({ firstSignalAt: T0, acceptedAt: plus(95) })).toBe(95_000);
    expect(timeToAccept({ firstSignalAt: T0, acceptedAt: null })).toBeNull();
    expect(timeToOnSite({ firstSignalAt: T0, onSiteAt: plus(640) })).toBe(640_000);
    expect(timeToOnSite({ firstSignalAt: T0 })).toBeNull();
  });
});
