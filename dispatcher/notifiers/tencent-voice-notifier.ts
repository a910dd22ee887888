import type pg from 'pg';
import { clip, renderTemplate } from '../../domain/message-template.js';
import { toE164 } from '../../domain/phone-number.js';
import { ChannelConfigSource, errorText, num, str } from './channel-config.js';
import { messageVariables } from './message-variables.js';
import type { DeliveryScope, NotificationMessage, Notifier, Recipient, SendResult } from './notifier.js';
import { tencentVmsClient } from './tencent-client.js';

export const DEFAULT_TENCENT_TTS_PARAMS = ['{kind}', '{place}'];

/**
 * Tencent Cloud voice message (VMS SendTtsVoice, API 2020-09-02): a call reading the approved
 * template, asking to press 1. The callid is kept; the key-press callback (`voicekey_callback`)
 * and the status callback (`voiceprompt_callback`) come back by it.
 */
export class TencentVoiceNotifier implements Notifier {
  readonly channel = 'tencent_voice';
  readonly group = 'voice' as const;
  private readonly configs: ChannelConfigSource;

  constructor(private readonly deps: { pool: pg.Pool; configs?: ChannelConfigSource; timeoutS?: number }) {
    this.configs = deps.configs ?? new ChannelConfigSource(deps.pool);
  }

  addresses(recipient: Recipient, scope?: DeliveryScope): Promise<string[]> {
    return this.configs.phoneAddresses('tencent_voice', recipient.phone, scope?.communityId);
  }

  async send(m: NotificationMessage): Promise<SendResult> {
    const config = await this.configs.get('tencent_voice', m.household.communityId);
    if (!config) return { status: 'skipped', error: 'Tencent voice not configured', attempts: 0 };
    const vars = messageVariables(m);
    const list = Array.isArray(config.templateParams) ? (config.templateParams as string[]) : DEFAULT_TENCENT_TTS_PARAMS;
    try {
      const res = await tencentVmsClient(config, this.deps.timeoutS).request('SendTtsVoice', {
        TemplateId: str(config.templateId), TemplateParamSet: list.map((t) => clip(renderTemplate(t, vars), 20)),
        CalledNumber: toE164(m.target), VoiceSdkAppid: str(config.voiceSdkAppId), PlayTimes: num(config.playTimes, 2),
        SessionContext: String(m.id),
      }) as { SendStatus?: { CallId?: string } };
      const callId = res.SendStatus?.CallId;
      if (callId) return { status: 'sent', provider: 'tencent', providerMessageId: callId };
      return { status: 'failed', error: 'Tencent VMS answered without a CallId', provider: 'tencent' };
    } catch (err) {
      return { status: 'failed', error: errorText(err, config.secrets), provider: 'tencent' };
    }
  }
}
