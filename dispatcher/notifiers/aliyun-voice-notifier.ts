import * as OpenApi from '@alicloud/openapi-core';
import { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import { RuntimeOptions } from '@darabonba/typescript';
import type pg from 'pg';
import { clip, renderObjectTemplate } from '../../domain/message-template.js';
import { ChannelConfigSource, cjsClass, endpointOf, errorText, num, protocolOf, str, type MergedConfig } from './channel-config.js';
import { messageVariables } from './message-variables.js';
import type { DeliveryScope, NotificationMessage, Notifier, Recipient, SendResult } from './notifier.js';

const OpenApiClass = cjsClass<typeof OpenApi.default.default>(OpenApi.default);
type OpenApiClient = InstanceType<typeof OpenApiClass>;

export const DEFAULT_ALIYUN_TTS_PARAMS = { kind: '{kind}', place: '{place}' };

/**
 * Alibaba Cloud voice notification (Dyvmsapi SingleCallByTts, API 2017-05-25): a phone call that
 * reads the approved TTS template with our variables, and asks to press 1 to accept. Aliyun
 * publishes no separate Node SDK for Dyvmsapi on npm, so the call goes through the official
 * OpenAPI core of its SDKs (`@alicloud/openapi-core`, the client `@alicloud/dysmsapi20170525`
 * is built on), which signs it the same way (ACS3-HMAC-SHA256). OutId carries our notification
 * id; the CallId is kept, and the VoiceReport (with the key pressed, `dtmf`) comes back by it.
 */
export class AliyunVoiceNotifier implements Notifier {
  readonly channel = 'aliyun_voice';
  readonly group = 'voice' as const;
  private readonly configs: ChannelConfigSource;
  private readonly clients = new Map<string, OpenApiClient>();

  constructor(private readonly deps: { pool: pg.Pool; configs?: ChannelConfigSource; timeoutMs?: number }) {
    this.configs = deps.configs ?? new ChannelConfigSource(deps.pool);
  }

  addresses(recipient: Recipient, scope?: DeliveryScope): Promise<string[]> {
    return this.configs.phoneAddresses('aliyun_voice', recipient.phone, scope?.communityId);
  }

  async send(m: NotificationMessage): Promise<SendResult> {
    const config = await this.configs.get('aliyun_voice', m.household.communityId);
    if (!config) return { status: 'skipped', error: 'Aliyun voice not configured', attempts: 0 };
    const params = renderObjectTemplate((config.ttsParams as Record<string, string> | undefined) ?? DEFAULT_ALIYUN_TTS_PARAMS, messageVariables(m));
    for (const k of Object.keys(params)) params[k] = clip(params[k]!, 35);
    const query: Record<string, string> = {
      CalledNumber: m.target, TtsCode: str(config.ttsCode), TtsParam: JSON.stringify(params),
      PlayTimes: String(num(config.playTimes, 2)), OutId: String(m.id),
    };
    if (str(config.calledShowNumber)) query.CalledShowNumber = str(config.calledShowNumber);
    try {
      const res = await this.client(config).callApi(
        new $OpenApiUtil.Params({
          action: 'SingleCallByTts', version: '2017-05-25', protocol: 'HTTPS', pathname: '/', method: 'POST',
          authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json',
        }),
        new $OpenApiUtil.OpenApiRequest({ query: OpenApiUtil.query(query) }),
        new RuntimeOptions({ autoretry: false, readTimeout: this.deps.timeoutMs ?? 10_000, connectTimeout: this.deps.timeoutMs ?? 10_000 }),
      ) as { body?: { Code?: string; Message?: string; CallId?: string } };
      const body = res.body;
      if (body?.Code === 'OK') return { status: 'sent', provider: 'aliyun', providerMessageId: body.CallId ?? null };
      return { status: 'failed', error: `Aliyun ${body?.Code ?? '?'}: ${body?.Message ?? ''}`.trim(), provider: 'aliyun' };
    } catch (err) {
      return { status: 'failed', error: errorText(err, config.secrets), provider: 'aliyun' };
    }
  }

  private client(config: MergedConfig): OpenApiClient {
    const key = JSON.stringify([config.accessKeyId, config.secrets.accessKeySecret, config.endpoint, config.protocol]);
    let c = this.clients.get(key);
    if (!c) {
      c = new OpenApiClass(new $OpenApiUtil.Config({
        accessKeyId: str(config.accessKeyId), accessKeySecret: str(config.secrets.accessKeySecret),
        endpoint: endpointOf('aliyun_voice', config), protocol: protocolOf(config),
      }));
      if (this.clients.size > 50) this.clients.clear();
      this.clients.set(key, c);
    }
    return c;
  }
}
