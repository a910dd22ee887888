import * as Dysms from '@alicloud/dysmsapi20170525';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import type pg from 'pg';
import { clip, renderObjectTemplate } from '../../domain/message-template.js';
import { ChannelConfigSource, cjsClass, endpointOf, errorText, protocolOf, str, type MergedConfig } from './channel-config.js';
import { messageVariables } from './message-variables.js';
import type { DeliveryScope, NotificationMessage, Notifier, Recipient, SendResult } from './notifier.js';
import { oneTimeLink } from './one-time-link.js';

/** The SDK is CommonJS with `exports.default = Client`; under ESM the class is one level down. */
// Node's ESM loader puts the class on `.default.default`; bundlers (vitest) on `.default`.
const DysmsClass = cjsClass<typeof Dysms.default.default>(Dysms.default);
type DysmsClient = InstanceType<typeof DysmsClass>;

/** Aliyun caps most template variables at 35 characters. */
const VAR_MAX = 35;
export const DEFAULT_ALIYUN_SMS_PARAMS = { kind: '{kind}', place: '{place}', code: '{code}' };

/**
 * Alibaba Cloud SMS (Dysms SendSms, API 2017-05-25) through the official SDK
 * `@alicloud/dysmsapi20170525`, which signs each request (ACS3-HMAC-SHA256, V3 signature).
 * Sign name and template code come from the community's settings (or the global ones); the
 * template's variables from `templateParams` (our `{kind}`, `{place}`, `{link}`…). The BizId
 * is kept: SmsReport receipts come back by it, SmsUp replies by phone number.
 */
export class AliyunSmsNotifier implements Notifier {
  readonly channel = 'aliyun_sms';
  readonly group = 'sms' as const;
  private readonly configs: ChannelConfigSource;
  private readonly clients = new Map<string, DysmsClient>();

  constructor(private readonly deps: { pool: pg.Pool; configs?: ChannelConfigSource; timeoutMs?: number }) {
    this.configs = deps.configs ?? new ChannelConfigSource(deps.pool);
  }

  addresses(recipient: Recipient, scope?: DeliveryScope): Promise<string[]> {
    return this.configs.phoneAddresses('aliyun_sms', recipient.phone, scope?.communityId);
  }

  async send(m: NotificationMessage): Promise<SendResult> {
    const config = await this.configs.get('aliyun_sms', m.household.communityId);
    if (!config) return { status: 'skipped', error: 'Aliyun SMS not configured', attempts: 0 };
    const link = await oneTimeLink(this.deps.pool, this.configs, m);
    const vars = messageVariables(m, link);
    const params = renderObjectTemplate((config.templateParams as Record<string, string> | undefined) ?? DEFAULT_ALIYUN_SMS_PARAMS, vars);
    for (const k of Object.keys(params)) if (k !== 'link') params[k] = clip(params[k]!, VAR_MAX);
    try {
      const res = await this.client(config).sendSms(new Dysms.SendSmsRequest({
        phoneNumbers: m.target, signName: str(config.signName), templateCode: str(config.templateCode),
        templateParam: JSON.stringify(params), outId: String(m.id),
      }));
      const body = res.body;
      if (body?.code === 'OK') return { status: 'sent', provider: 'aliyun', providerMessageId: body.bizId ?? null };
      return { status: 'failed', error: `Aliyun ${body?.code ?? '?'}: ${body?.message ?? ''}`.trim(), provider: 'aliyun' };
    } catch (err) {
      return { status: 'failed', error: errorText(err, config.secrets), provider: 'aliyun' };
    }
  }

  private client(config: MergedConfig): DysmsClient {
    const key = JSON.stringify([config.accessKeyId, config.secrets.accessKeySecret, config.endpoint, config.protocol]);
    let c = this.clients.get(key);
    if (!c) {
      c = new DysmsClass(new $OpenApiUtil.Config({
        accessKeyId: str(config.accessKeyId), accessKeySecret: str(config.secrets.accessKeySecret),
        endpoint: endpointOf('aliyun_sms', config), protocol: protocolOf(config),
        readTimeout: this.deps.timeoutMs ?? 10_000, connectTimeout: this.deps.timeoutMs ?? 10_000,
      }));
      if (this.clients.size > 50) this.clients.clear();
      this.clients.set(key, c);
    }
    return c;
  }
}
