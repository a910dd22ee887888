import type pg from 'pg';
import { describe, expect, test } from 'vitest';
import { wallClock } from '../../domain/clock.js';
import { NotificationSender, type Delivery, type LadderPlan, type LadderScheduler } from '../../dispatcher/notification-sender.js';
import type { ChannelGroup, Notifier, Recipient } from '../../dispatcher/notifiers/notifier.js';

/**
 * A page under the ladder (issue 16): the groups due now go out, and only the later steps a
 * channel can carry are armed — a step with no address for the person would send nothing when
 * it fired, yet cost a delayed job per person paged (the escalation burst of the bench). Steps
 * that cannot be armed go out at once. Fake channels claim in memory (claimAndSend): no database.
 */
const quiet = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };
const recipient: Recipient = { kind: 'responder', responderId: 'sup', role: 'supervisor', name: '吴主任', phone: '13800000000' };
const delivery = (): Delivery => ({
  alert: { id: 'a1', kind: 'sos', severity: 'critical', householdId: 'h1', firstSignalAt: new Date() },
  household: { unit: '301', address: 'road 1', buildingName: 'A1', communityId: 'c1' },
  round: 'page:1', purpose: 'page', tier: 1, recipients: [recipient], title: 'SOS', text: () => 'SOS',
});

function channel(name: string, group: ChannelGroup, addresses: string[], sent: string[]): Notifier {
  return {
    channel: name, group,
    addresses: async () => addresses,
    send: async () => ({ status: 'sent' }),
    claimAndSend: async (m) => { sent.push(`${name}:${m.target}`); return { id: sent.length, result: { status: 'sent' } }; },
  };
}

function ladder(plan: { now: ChannelGroup[]; later: ChannelGroup[] }, arm: (groups: ReadonlySet<ChannelGroup>) => Promise<void>): LadderScheduler {
  return { plan: async (): Promise<LadderPlan> => ({ now: new Set(plan.now), later: new Set(plan.later), arm }) };
}

describe('NotificationSender with a ladder', () => {
  const notifiers = (sent: string[], smsAddresses: string[], voiceAddresses: string[]) => [
    channel('in_app', 'app', ['responder:sup'], sent),
    channel('aliyun_sms', 'sms', smsAddresses, sent),
    channel('aliyun_voice', 'voice', voiceAddresses, sent),
  ];

  test('arms only the later steps whose group can reach the person; sends the groups due now', async () => {
    const sent: string[] = [];
    const armed: Array<ChannelGroup[]> = [];
    const sender = new NotificationSender({
      pool: {} as pg.Pool, clock: wallClock, log: quiet, notifiers: notifiers(sent, ['13800000000'], []),
      ladder: ladder({ now: ['app'], later: ['sms', 'voice'] }, async (g) => { armed.push([...g].sort()); }),
    });
    const report = await sender.deliver(delivery());
    expect(sent).toEqual(['in_app:responder:sup']);
    expect(armed).toEqual([['sms']]); // no voice channel for this person: no voice step
    expect(report.claimed).toBe(1);
  });

  test('no channel of a later group at all: nothing armed (an empty arm)', async () => {
    const sent: string[] = [];
    const armed: Array<ChannelGroup[]> = [];
    const sender = new NotificationSender({
      pool: {} as pg.Pool, clock: wallClock, log: quiet, notifiers: notifiers(sent, [], []),
      ladder: ladder({ now: ['app', 'sms'], later: ['voice'] }, async (g) => { armed.push([...g]); }),
    });
    await sender.deliver(delivery());
    expect(sent).toEqual(['in_app:responder:sup']);
    expect(armed).toEqual([[]]);
  });

  test('later steps that cannot be armed go out at once (a page is never silenced)', async () => {
    const sent: string[] = [];
    const sender = new NotificationSender({
      pool: {} as pg.Pool, clock: wallClock, log: quiet, notifiers: notifiers(sent, ['13800000000'], ['13800000000']),
      ladder: ladder({ now: ['app'], later: ['sms', 'voice'] }, async () => { throw new Error('redis down'); }),
    });
    await sender.deliver(delivery());
    expect(sent.sort()).toEqual(['aliyun_sms:13800000000', 'aliyun_voice:13800000000', 'in_app:responder:sup']);
  });

  test('a ladder that cannot be read sends on every channel now', async () => {
    const sent: string[] = [];
    const sender = new NotificationSender({
      pool: {} as pg.Pool, clock: wallClock, log: quiet, notifiers: notifiers(sent, ['13800000000'], ['13800000000']),
      ladder: { plan: async () => { throw new Error('settings unreadable'); } },
    });
    await sender.deliver(delivery());
    expect(sent.sort()).toEqual(['aliyun_sms:13800000000', 'aliyun_voice:13800000000', 'in_app:responder:sup']);
  });
});
