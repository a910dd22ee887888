import type pg from 'pg';
import { clip, renderTemplate } from '../../domain/message-template.js';
import { toE164 } from '../../domain/phone-number.js';
import { ChannelConfigSource, errorText, str } from './channel-config.js';
import { messageVariables } from './message-variables.js';
import type { DeliveryScope, NotificationMessage, Notifier, Recipient, SendResult } from './notifier.js';
import { oneTimeLink } from './one-time-link.js';
import { tencentSmsClient } from './tencent-client.js';

export const DEFAULT_TENCENT_SMS_PARAMS = ['{kind}', '{place}', '{code}'];

/**
 * Tencent Cloud SMS (SendSms, API 2021-01-11) through `tencentcloud-sdk-nodejs-sms`. The
 * template's parameters are positional (`{1}`, `{2}`…): `templateParams` lists ours in order.
 * The SerialNo is kept: status callbacks come back by it (`sid`), replies by phone number.
 */
export class TencentSmsNotifier implements Notifier {
  readonly channel = 'tencent_sms';
  readonly group = 'sms' as const;
  private readonly configs: ChannelConfigSource;

  constructor(private readonly deps: { pool: pg.Pool; configs?: ChannelConfigSource; timeoutS?: number }) {
    this.configs = deps.configs ?? new ChannelConfigSource(deps.pool);
  }

  addresses(recipient: Recipient, scope?: DeliveryScope): Promise<string[]> {
    return this.configs.phoneAddresses('tencent_sms', recipient.phone, scope?.communityId);
  }

  async send(m: NotificationMessage): Promise<SendResult> {
    const config = await this.configs.get('tencent_sms', m.household.communityId);
    if (!config) return { status: 'skipped', error: 'Tencent SMS not configured', attempts: 0 };
    const link = await oneTimeLink(this.deps.pool, this.configs, m);
    const vars = messageVariables(m, link);
    const list = Array.isArray(config.templateParams) ? (config.templateParams as string[]) : DEFAULT_TENCENT_SMS_PARAMS;
    const params = list.map((t) => (t === '{link}' ? renderTemplate(t, vars) : clip(renderTemplate(t, vars), 26)));
    try {
      const res = await tencentSmsClient(config, this.deps.timeoutS).SendSms({
        PhoneNumberSet: [toE164(m.target)], SmsSdkAppId: str(config.smsSdkAppId), SignName: str(config.signName),
        TemplateId: str(config.templateId), TemplateParamSet: params, SessionContext: String(m.id),
      });
      const status = res.SendStatusSet?.[0];
      if (status?.Code === 'Ok') return { status: 'sent', provider: 'tencent', providerMessageId: status.SerialNo ?? null };
      return { status: 'failed', error: `Tencent ${status?.Code ?? '?'}: ${status?.Message ?? ''}`.trim(), provider: 'tencent' };
    } catch (err) {
      return { status: 'failed', error: errorText(err, config.secrets), provider: 'tencent' };
    }
  }
}
