import { Job, type Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { isLiveEventType, LIVE_EVENT_TYPES, liveEvent } from '../../domain/live-events.js';
import {
  ackJobId, arriveRemindJobId, escalationJobId, LIVE_CHANNEL, QUEUES, rosterCheckJobId, slaBreachJobId,
  slaWarnJobId, sweepSchedulerId, SWEEP_RULES,
} from '../../domain/queues.js';

const ALERT = '5f0c3c1e-8d6a-4c11-9a55-0e6b8f6b2a10';

/** Runs BullMQ's own job-option validation (Job.validateOptions) without Redis. */
function bullmqAccepts(jobId: string): true | string {
  const queue = { opts: {}, keys: {}, toKey: (k: string) => k, name: 'q', qualifiedName: 'bull:q' } as unknown as Queue;
  try {
    const job = new Job(queue, 'n', {}, { jobId });
    // validateOptions is protected in the typings; it is the check addJob runs before talking to Redis.
    (job as unknown as { validateOptions(data: unknown): void }).validateOptions(job.asJSON());
    return true;
  } catch (e) {
    return (e as Error).message;
  }
}

describe('queues', () => {
  it('keeps the existing names and adds escalation, sweep, ladder and maintenance', () => {
    expect(QUEUES).toEqual({ route: 'guardian-route', escalation: 'guardian-escalation', sweep: 'guardian-sweep', ladder: 'guardian-ladder', maintenance: 'guardian-maintenance' });
    expect(LIVE_CHANNEL).toBe('guardian:live');
  });

  it('builds the fixed job ids', () => {
    expect(ackJobId(ALERT, 2)).toBe(`${ALERT}:ack:2`);
    expect(slaWarnJobId(ALERT)).toBe(`${ALERT}:sla:warn`);
    expect(slaBreachJobId(ALERT)).toBe(`${ALERT}:sla:breach`);
    expect(arriveRemindJobId(ALERT)).toBe(`${ALERT}:arrive:remind`);
    expect(rosterCheckJobId(new Date('2026-03-02T00:00:00Z'))).toBe('roster:check:1772409600000');
    expect(escalationJobId({ type: 'ack_timeout', alertId: ALERT, level: 0 })).toBe(ackJobId(ALERT, 0));
    expect(escalationJobId({ type: 'sla_warn', alertId: ALERT })).toBe(slaWarnJobId(ALERT));
    expect(escalationJobId({ type: 'sla_breach', alertId: ALERT })).toBe(slaBreachJobId(ALERT));
    expect(escalationJobId({ type: 'arrive_remind', alertId: ALERT, acceptedBy: 'u1' })).toBe(arriveRemindJobId(ALERT));
    expect(SWEEP_RULES.map(sweepSchedulerId)).toContain('sweep-inactivity');
  });

  it('every id is one BullMQ 6.7 accepts (a 2-part "x:sla-warn" would throw at enqueue)', () => {
    expect(bullmqAccepts(`${ALERT}:sla-warn`)).toBe('Custom Id cannot contain :');
    const ids = [ALERT, ackJobId(ALERT, 0), ackJobId(ALERT, 12), slaWarnJobId(ALERT), slaBreachJobId(ALERT),
      arriveRemindJobId(ALERT), rosterCheckJobId(new Date()), ...SWEEP_RULES.map(sweepSchedulerId)];
    for (const id of ids) expect(bullmqAccepts(id), id).toBe(true);
  });
});

describe('live events', () => {
  it('lists the feed types of DESIGN §6 plus roster.gap', () => {
    expect(LIVE_EVENT_TYPES).toEqual(['alert.created', 'alert.updated', 'household.status', 'device.status', 'responder.status', 'roster.gap']);
    expect(isLiveEventType('roster.gap')).toBe(true);
    expect(isLiveEventType('alert.deleted')).toBe(false);
  });
  it('builds a typed message', () => {
    expect(liveEvent(7, 'roster.gap', { gridId: 'g1', role: 'grid_worker', shift: 'day', shiftDate: '2026-03-02' }))
      .toEqual({ seq: 7, type: 'roster.gap', data: { gridId: 'g1', role: 'grid_worker', shift: 'day', shiftDate: '2026-03-02' } });
  });
});
