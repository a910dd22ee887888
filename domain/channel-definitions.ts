/**
 * The notification channels an admin configures (issue 16), shared by the dispatcher (which
 * sends), the API and the CLI (which store settings and never show secrets in full). Pure data.
 */
export type ChannelKind = 'sms' | 'voice' | 'robot' | 'links' | 'ladder';

export interface ChannelDefinition {
  kind: ChannelKind;
  /** Whose callbacks (receipts, replies, key presses) this channel's messages come back on. */
  provider: 'aliyun' | 'tencent' | null;
  /** Plain fields (ids, templates, endpoints). */
  fields: readonly string[];
  /** Fields kept in channel_settings.secrets: stored, never logged, masked in every answer. */
  secrets: readonly string[];
  /** What the merged (global + community) config needs before the channel can send. */
  required: readonly string[];
  /** Production endpoint; tests and private gateways set `endpoint` (and `protocol`). */
  defaultEndpoint?: string;
}

const TENCENT_COMMON = ['secretId', 'region', 'endpoint', 'protocol', 'proxy'] as const;
const ROBOT_FIELDS = ['name', 'tiers', 'textTemplate', 'endpoint'] as const;

export const CHANNEL_DEFINITIONS = {
  aliyun_sms: {
    kind: 'sms', provider: 'aliyun', defaultEndpoint: 'dysmsapi.aliyuncs.com',
    fields: ['accessKeyId', 'endpoint', 'protocol', 'signName', 'templateCode', 'templateParams'],
    secrets: ['accessKeySecret'], required: ['accessKeyId', 'accessKeySecret', 'signName', 'templateCode'],
  },
  aliyun_voice: {
    kind: 'voice', provider: 'aliyun', defaultEndpoint: 'dyvmsapi.aliyuncs.com',
    fields: ['accessKeyId', 'endpoint', 'protocol', 'calledShowNumber', 'ttsCode', 'ttsParams', 'playTimes'],
    secrets: ['accessKeySecret'], required: ['accessKeyId', 'accessKeySecret', 'ttsCode'],
  },
  tencent_sms: {
    kind: 'sms', provider: 'tencent', defaultEndpoint: 'sms.tencentcloudapi.com',
    fields: [...TENCENT_COMMON, 'smsSdkAppId', 'signName', 'templateId', 'templateParams'],
    secrets: ['secretKey'], required: ['secretId', 'secretKey', 'smsSdkAppId', 'signName', 'templateId'],
  },
  tencent_voice: {
    kind: 'voice', provider: 'tencent', defaultEndpoint: 'vms.tencentcloudapi.com',
    fields: [...TENCENT_COMMON, 'voiceSdkAppId', 'templateId', 'templateParams', 'playTimes'],
    secrets: ['secretKey'], required: ['secretId', 'secretKey', 'voiceSdkAppId', 'templateId'],
  },
  // Group robots: the webhook URL itself is the credential (WeCom's `key`, DingTalk's
  // `access_token`, Feishu's hook id), so it is a secret too.
  wecom: { kind: 'robot', provider: null, fields: ROBOT_FIELDS, secrets: ['url'], required: ['url'] },
  dingtalk: { kind: 'robot', provider: null, fields: ROBOT_FIELDS, secrets: ['url', 'secret'], required: ['url'] },
  feishu: { kind: 'robot', provider: null, fields: ROBOT_FIELDS, secrets: ['url', 'secret'], required: ['url'] },
  // Not channels: where the one-time links in an SMS point, and the ladder's role defaults.
  links: { kind: 'links', provider: null, fields: ['publicUrl', 'ttlS'], secrets: [], required: ['publicUrl'] },
  ladder: { kind: 'ladder', provider: null, fields: ['roles'], secrets: [], required: [] },
} as const satisfies Record<string, ChannelDefinition>;

export type ChannelName = keyof typeof CHANNEL_DEFINITIONS;
export const CHANNEL_NAMES = Object.keys(CHANNEL_DEFINITIONS) as ChannelName[];
export const SENDING_CHANNELS = CHANNEL_NAMES.filter((c) => ['sms', 'voice', 'robot'].includes(CHANNEL_DEFINITIONS[c].kind));

export function isChannelName(v: unknown): v is ChannelName {
  return typeof v === 'string' && Object.hasOwn(CHANNEL_DEFINITIONS, v);
}

/** Required fields the merged config lacks; empty when it can send. */
export function missingFields(channel: ChannelName, merged: Record<string, unknown> & { secrets?: Record<string, string> }): string[] {
  const def: ChannelDefinition = CHANNEL_DEFINITIONS[channel];
  return def.required.filter((f) => {
    const v = def.secrets.includes(f) ? merged.secrets?.[f] : merged[f];
    return v === undefined || v === null || v === '';
  });
}

/** Splits an admin's input into plain fields and secrets; unknown fields are refused by name. */
export function splitChannelInput(channel: ChannelName, input: Record<string, unknown>): { config: Record<string, unknown>; secrets: Record<string, string | null>; unknown: string[] } {
  const def: ChannelDefinition = CHANNEL_DEFINITIONS[channel];
  const config: Record<string, unknown> = {};
  const secrets: Record<string, string | null> = {};
  const unknown: string[] = [];
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined) continue;
    if (def.secrets.includes(k)) {
      if (v === null || typeof v === 'string') secrets[k] = v === '' ? null : v;
      else unknown.push(k);
    } else if (def.fields.includes(k)) config[k] = v;
    else unknown.push(k);
  }
  return { config, secrets, unknown };
}

/** The escalation levels (0-based) a robot posts to, from `tiers` as admins write them (1-3); all when not set. */
export function robotTiers(config: Record<string, unknown>): number[] {
  const t = config.tiers;
  if (!Array.isArray(t)) return [0, 1, 2];
  return t.filter((x): x is number => Number.isInteger(x) && x >= 1 && x <= 3).map((x) => x - 1);
}
