import type pg from 'pg';
import { maskPhone } from '../../domain/pii-mask.js';
import { claimCheckInCall, recordCallSent, residentToCall } from '../../store/check-in-call-repository.js';
import type { NotificationMessage, Notifier, Recipient } from '../notifiers/notifier.js';

/** What the check-in's call stage did; `said` is the timeline note (zh and en). */
export type CallOutcome =
  | { status: 'sent'; channel: string; notificationId: number; said: string }
  | { status: 'skipped' | 'failed'; said: string };

export interface ResidentCaller {
  call(householdId: string, at: Date): Promise<CallOutcome>;
}

/**
 * The check-in's third stage (issue 19 item 4): a call to the resident's own phone through the
 * voice channels of "Reaching people" (Aliyun, Tencent), the first configured for the home's
 * community that takes the call. The notifications row carries the provider's CallId, so the
 * receipt or key press comes back by api/services/channel-callbacks-service.ts and stands the
 * check down there.
 */
export class VoiceResidentCaller implements ResidentCaller {
  private readonly voice: Notifier[];

  constructor(private readonly deps: { pool: pg.Pool; notifiers: readonly Notifier[] }) {
    this.voice = deps.notifiers.filter((n) => n.group === 'voice');
  }

  async call(householdId: string, at: Date): Promise<CallOutcome> {
    const home = await residentToCall(this.deps.pool, householdId);
    if (!home?.phone) return { status: 'skipped', said: 'no phone on file for the resident: call skipped (未登记老人电话，跳过电话问候)' };
    const recipient: Recipient = { kind: 'family', name: home.name, relation: '本人', phone: home.phone };
    const scope = { communityId: home.communityId, purpose: 'check_in' as const, tier: null };
    const household = { unit: home.unit, address: home.address, buildingName: home.buildingName, communityId: home.communityId };
    let failure: CallOutcome | null = null;
    for (const notifier of this.voice) {
      const [target] = await notifier.addresses(recipient, scope);
      if (!target) continue;
      const id = await claimCheckInCall(this.deps.pool, { householdId, channel: notifier.channel, target, at });
      if (id === null) return { status: 'skipped', said: 'the check-in ended before the call (问候已结束，未拨打电话)' };
      const message: NotificationMessage = {
        id, household, recipient, target, purpose: 'check_in', tier: null, round: `check_in:${householdId}`, at,
        alert: { id: '', kind: 'inactivity', severity: 'high', householdId, firstSignalAt: at },
        title: '平安问候', text: '您好，这里是社区平安守护。您家里一段时间没有动静，如果您安好，请按任意键。',
      };
      const r = await notifier.send(message);
      await recordCallSent(this.deps.pool, id, {
        status: r.status, error: r.error ?? null, attempts: r.attempts ?? (r.status === 'skipped' ? 0 : 1), at,
        provider: r.provider ?? null, messageId: r.providerMessageId ?? null,
      });
      const phone = maskPhone(target) ?? '';
      if (r.status === 'sent') return { status: 'sent', channel: notifier.channel, notificationId: id, said: `no answer to the spoken check-in: calling the resident at ${phone} via ${notifier.channel} (语音问候未回应，已拨打老人电话 ${phone})` };
      failure = { status: 'failed', said: `the call to ${phone} via ${notifier.channel} failed: ${r.error ?? r.status} (电话问候未能拨出)` };
    }
    return failure ?? { status: 'skipped', said: 'no voice channel configured: call skipped (未配置语音通道，跳过电话问候)' };
  }
}
