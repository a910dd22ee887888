import { timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import { wallClock, type Clock } from '../../domain/clock.js';
import { fromNationMobile, isAcceptReply, normalizePhone } from '../../domain/phone-number.js';
import { hashSecret } from '../../domain/secrets.js';
import { writeAudit } from '../../store/audit-repository.js';
import { answerCheckInCall } from '../../store/check-in-call-repository.js';
import { getCallbackTokenHash } from '../../store/channel-settings-repository.js';
import { applyReceipt, findByProviderMessage, latestSmsTo, recordReply, type DeliveryStatus, type ReceiptTarget } from '../../store/channel-notifications-repository.js';
import { accountOfResponder } from '../../store/responder-accounts-repository.js';
import { ApiError, unauthorized } from '../api-error.js';
import type { AlertActionsService } from './alert-actions-service.js';
import { scopeOf } from '../../domain/access-scope.js';
import { responderPrincipal } from '../../store/scope-sql.js';

export type CallbackProvider = 'aliyun' | 'tencent';
export type CallbackKind = 'sms-report' | 'sms-up' | 'voice-report' | 'sms-status' | 'sms-reply' | 'voice';

/** A reply this long after the SMS answers nothing we sent (the alert is long handled). */
const REPLY_WINDOW_MS = 24 * 3600_000;
const SMS_CHANNELS: Record<CallbackProvider, string[]> = { aliyun: ['aliyun_sms'], tencent: ['tencent_sms'] };

/** The timeline note when the resident answers the check-in call. */
export const CHECK_IN_ANSWERED_NOTE = 'the resident answered the check-in call: stood down (老人已接听问候电话，解除)';

export interface CallbackSummary { receipts: number; replies: number; accepted: number }

type Row = Record<string, unknown>;
const s = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/**
 * Provider callbacks (issue 16): delivery receipts, SMS replies and key presses, from Alibaba
 * Cloud's HTTP batch push (SmsReport, SmsUp, VoiceReport) and Tencent Cloud's callbacks (SMS
 * status and reply, voice status and key press). Neither provider signs these pushes, so the
 * URL carries a per-provider secret token (callback_tokens, SHA-256 at rest) that is checked in
 * constant time; a request without it is refused (401) and audited.
 *
 * Reply "1" or press 1 → the same accept as the phone (AlertActionsService.act) for the
 * responder the message went to: the first accept still wins (a late one is audited as such),
 * and a repeated push of the same reply is recorded once and accepts once.
 */
export class ChannelCallbacksService {
  constructor(
    private readonly pool: pg.Pool,
    private readonly actions: AlertActionsService,
    private readonly clock: Clock = wallClock,
    /** ALERT_ACCESS_GRACE_S: the replying responder acts with the scope their account would have. */
    private readonly alertGraceMs = 7_200_000,
  ) {}

  async verify(provider: CallbackProvider, token: string, kind: string, ip: string): Promise<void> {
    const stored = await getCallbackTokenHash(this.pool, provider);
    const ok = stored !== null && stored.length === 32 && timingSafeEqual(hashSecret(token), stored);
    if (ok) return;
    await writeAudit(this.pool, {
      username: null, role: null, action: 'channel.callback.refused', target: `${provider}/${kind}`, ip,
      data: { reason: stored ? 'wrong token' : 'no callback token configured' },
    });
    throw unauthorized('unknown callback token', 'bad_callback_token');
  }

  async handle(provider: CallbackProvider, kind: CallbackKind, body: unknown, ip: string): Promise<CallbackSummary> {
    const sum: CallbackSummary = { receipts: 0, replies: 0, accepted: 0 };
    const items = (Array.isArray(body) ? body : [body]).filter((x): x is Row => typeof x === 'object' && x !== null);
    for (const item of items) {
      switch (`${provider}/${kind}`) {
        case 'aliyun/sms-report': await this.receipt(sum, 'aliyun', s(item.biz_id), item.success === true || item.success === 'true' ? 'delivered' : 'failed', `${s(item.err_code)} ${s(item.err_msg)}`); break;
        case 'aliyun/sms-up': await this.reply(sum, 'aliyun', normalizePhone(s(item.phone_number)), s(item.content), ip); break;
        case 'aliyun/voice-report': await this.aliyunVoice(sum, item, ip); break;
        case 'tencent/sms-status': await this.receipt(sum, 'tencent', s(item.sid), s(item.report_status) === 'SUCCESS' ? 'delivered' : 'failed', `${s(item.errmsg)} ${s(item.description)}`); break;
        case 'tencent/sms-reply': await this.reply(sum, 'tencent', fromNationMobile(s(item.nationcode), s(item.mobile)), s(item.text), ip); break;
        case 'tencent/voice': await this.tencentVoice(sum, item, ip); break;
        default: throw new ApiError(404, 'not_found', `no ${kind} callback for ${provider}`);
      }
    }
    return sum;
  }

  private async receipt(sum: CallbackSummary, provider: CallbackProvider, messageId: string, status: DeliveryStatus, error: string): Promise<ReceiptTarget[]> {
    if (!messageId) return [];
    const rows = await applyReceipt(this.pool, { provider, messageId, status, error: status === 'failed' || status === 'unanswered' ? error.trim() || status : null, at: this.clock.now() });
    sum.receipts += rows.length;
    return rows;
  }

  /** VoiceReport: a call record; `dtmf` is what the callee pressed. Connected = b_start_time set. */
  private async aliyunVoice(sum: CallbackSummary, item: Row, ip: string): Promise<void> {
    const callId = s(item.call_id);
    const answered = s(item.b_start_time) !== '' || Number(s(item.duration)) > 0;
    const rows = await this.receipt(sum, 'aliyun', callId, answered ? 'answered' : 'unanswered', `${s(item.status_code)} ${s(item.status_msg)}`);
    if (answered) await this.checkInAnswered(rows, 'aliyun call answered', ip);
    const dtmf = s(item.dtmf);
    if (dtmf) await this.keyPress(sum, 'aliyun', callId, dtmf, ip);
  }

  /** Tencent voice: one endpoint, the object's key says which callback it is. */
  private async tencentVoice(sum: CallbackSummary, item: Row, ip: string): Promise<void> {
    const prompt = item.voiceprompt_callback as Row | undefined;
    if (prompt && typeof prompt === 'object') {
      const result = s(prompt.result);
      const rows = await this.receipt(sum, 'tencent', s(prompt.callid), result === '0' ? 'answered' : result === '1' ? 'unanswered' : 'failed', `result ${result}`);
      if (result === '0') await this.checkInAnswered(rows, 'tencent call answered', ip);
    }
    const key = item.voicekey_callback as Row | undefined;
    if (key && typeof key === 'object') await this.keyPress(sum, 'tencent', s(key.callid), s(key.keypress), ip);
    const failure = item.voicefailure_callback as Row | undefined;
    if (failure && typeof failure === 'object') await this.receipt(sum, 'tencent', s(failure.callid), 'failed', s(failure.failure_reason) || 'call failed');
  }

  private async keyPress(sum: CallbackSummary, provider: CallbackProvider, callId: string, key: string, ip: string): Promise<void> {
    if (!callId) return;
    const row = await findByProviderMessage(this.pool, provider, callId);
    if (!row) return;
    await this.answer(sum, row, key, `${provider} key press`, ip);
  }

  private async reply(sum: CallbackSummary, provider: CallbackProvider, phone: string, text: string, ip: string): Promise<void> {
    if (!phone) return;
    const row = await latestSmsTo(this.pool, SMS_CHANNELS[provider], phone, new Date(this.clock.nowMs() - REPLY_WINDOW_MS));
    if (!row) {
      await writeAudit(this.pool, { username: null, role: null, action: 'channel.reply.unmatched', target: `${provider}/sms`, ip, data: { text: text.slice(0, 70) } });
      return;
    }
    await this.answer(sum, row, text, `${provider} SMS reply`, ip);
  }

  /**
   * The resident answered the staged check-in's call (issue 19 item 4): picking up or any key
   * press stands the check down — the resident is there, no alert. True when a check stood down.
   */
  private async checkInAnswered(rows: readonly ReceiptTarget[], via: string, ip: string): Promise<boolean> {
    let any = false;
    for (const row of rows) {
      if (row.alertId) continue;
      const householdId = await answerCheckInCall(this.pool, row.id, this.clock.now(), `${CHECK_IN_ANSWERED_NOTE} (${via})`);
      if (!householdId) continue;
      any = true;
      await writeAudit(this.pool, { username: null, role: null, action: 'check_in.answered', target: householdId, ip, data: { via, notificationId: row.id } });
    }
    return any;
  }

  /** A reply or key press on one of our messages: recorded once; "1" from a responder accepts. */
  private async answer(sum: CallbackSummary, row: ReceiptTarget, text: string, via: string, ip: string): Promise<void> {
    if (!(await recordReply(this.pool, row.id, text.slice(0, 160), this.clock.now()))) return; // the same push again
    sum.replies++;
    if (!row.alertId && (await this.checkInAnswered([row], via, ip))) return;
    const audit = (action: string, data: Record<string, unknown>) => writeAudit(this.pool, {
      username: row.responderId ? `responder:${row.responderId}` : null, role: null, action, target: row.alertId, ip,
      data: { via, notificationId: row.id, ...data },
    });
    if (!isAcceptReply(text)) { await audit('channel.reply', { text: text.slice(0, 70) }); return; }
    if (!row.alertId || !row.responderId) { await audit('channel.reply.not_responder', {}); return; }
    const account = await accountOfResponder(this.pool, row.responderId);
    const responder = await responderPrincipal(this.pool, row.responderId);
    const actor = {
      id: account?.id ?? 0, username: account?.username ?? `responder:${row.responderId}`, role: 'responder' as const,
      responderId: row.responderId, displayName: account?.displayName ?? null, ip,
      scope: scopeOf({ role: 'responder', communityIds: [], responder }, this.alertGraceMs),
    };
    try {
      const r = await this.actions.act(actor, row.alertId, 'accept', {});
      if (!r.noop) sum.accepted++;
      await audit('channel.reply.accept', { accepted: !r.noop });
    } catch (err) {
      // Someone else was first, or the alert closed: the first accept wins; say so in the audit.
      if (err instanceof ApiError) { await audit('channel.reply.refused', { code: err.code }); return; }
      throw err;
    }
  }
}
