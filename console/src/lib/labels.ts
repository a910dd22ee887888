import { i18n } from './i18n/index.svelte';

/**
 * Names for the codes the API sends as data rather than as UI strings: device kinds, signal
 * types, notification statuses, timeline event types and actors. A code we do not know yet is
 * shown as it is (a newer server), never as "undefined".
 */
type Pair = readonly [zh: string, en: string];
const pick = (table: Record<string, Pair>, code: string): string => table[code]?.[i18n.lang === 'zh' ? 0 : 1] ?? code;

export const DEVICE_KINDS = [
  'sos_button', 'pull_cord', 'fall_radar', 'pir', 'door_contact', 'bed_sensor', 'water_meter',
  'smoke_detector', 'gas_detector', 'leak_sensor', 'z2m_hub',
] as const;

const DEVICE_KIND: Record<string, Pair> = {
  sos_button: ['紧急按钮', 'SOS button'], pull_cord: ['紧急拉绳', 'Pull cord'], fall_radar: ['跌倒雷达', 'Fall radar'],
  pir: ['人体感应', 'Motion (PIR)'], door_contact: ['门磁', 'Door contact'], bed_sensor: ['床垫传感器', 'Bed sensor'],
  water_meter: ['水表', 'Water meter'], smoke_detector: ['烟感', 'Smoke detector'], gas_detector: ['燃气探测器', 'Gas detector'],
  leak_sensor: ['水浸传感器', 'Leak sensor'], z2m_hub: ['Zigbee 网关', 'Zigbee hub'],
};

const SIGNAL_TYPE: Record<string, Pair> = {
  sos: ['紧急呼叫', 'SOS'], fall: ['跌倒', 'Fall'], motion: ['活动', 'Motion'], door: ['开关门', 'Door'], bed: ['起卧', 'Bed'],
  presence: ['在家', 'Presence'], water_use: ['用水', 'Water use'], button: ['按键', 'Button'], smoke: ['烟雾', 'Smoke'],
  gas: ['燃气', 'Gas'], water_leak: ['漏水', 'Water leak'], heartbeat: ['心跳', 'Heartbeat'], battery: ['电量', 'Battery'],
  cancel: ['老人取消', 'Cancelled by resident'],
};

const NOTIFICATION_STATUS: Record<string, Pair> = {
  sent: ['已发送', 'Sent'], failed: ['失败', 'Failed'], pending: ['发送中', 'Pending'], skipped: ['已跳过', 'Skipped'],
};

const TIMELINE_TYPE: Record<string, Pair> = {
  created: ['创建', 'Created'], state: ['状态', 'State'], note: ['备注', 'Note'], repeat: ['重复信号', 'Repeat'],
  resident_cancel: ['老人取消', 'Resident cancel'], escalated: ['升级', 'Escalated'], escalate: ['升级', 'Escalated'],
  notified: ['已通知', 'Notified'], notify: ['通知', 'Notified'], accept: ['接单', 'Accept'], arrive: ['到达', 'Arrive'],
  resolve: ['处理完成', 'Resolve'], cancel: ['取消', 'Cancel'], sla_warn: ['到场预警', 'SLA warning'],
  sla_breach: ['到场超时', 'SLA breach'], ack_timeout: ['接单超时', 'Accept timeout'], arrive_remind: ['到场提醒', 'Arrival reminder'],
  check_in: ['主动问询', 'Check-in'], presence: ['到场确认', 'Presence'],
};

const NOTIFICATION_PURPOSE: Record<string, Pair> = {
  page: ['派单', 'Page'], inform: ['知会', 'Informed'], ack: ['回执', 'Ack'], reminder: ['到场提醒', 'Reminder'],
  supervisor: ['报值班主任', 'Supervisor'], sla_warn: ['到场预警', 'SLA warning'], sla_breach: ['到场超时', 'SLA breach'],
  roster_gap: ['排班缺口', 'Roster gap'], escalate: ['升级', 'Escalation'], check_in: ['主动问询', 'Check-in'],
};

export const notificationPurposeName = (purpose: string): string => pick(NOTIFICATION_PURPOSE, purpose);
export const deviceKindName = (kind: string): string => pick(DEVICE_KIND, kind);
export const signalTypeName = (type: string): string => pick(SIGNAL_TYPE, type);
export const notificationStatusName = (status: string): string => pick(NOTIFICATION_STATUS, status);
export const timelineTypeName = (type: string): string => pick(TIMELINE_TYPE, type);

/** `system` → 系统, `device:sos-0001` → 设备 sos-0001, `user:duty1` → duty1 (or the responder's name). */
export function actorName(actor: string | null | undefined, names?: (id: string) => string | undefined): string {
  if (!actor) return '';
  if (actor === 'system') return i18n.lang === 'zh' ? '系统' : 'System';
  const [kind, ...rest] = actor.split(':');
  const id = rest.join(':');
  if (!id) return actor;
  if (kind === 'device') return `${i18n.lang === 'zh' ? '设备' : 'Device'} ${id}`;
  if (kind === 'responder') return names?.(id) ?? id;
  return id;
}

/**
 * The service's own timeline texts, which the dispatcher and the gateway store in English
 * (escalation reasons, passive-alert reasons, "no one on duty"): said in the user's language
 * (issue 20 item 5). Matched exactly or by pattern; a text typed by a person — or one this
 * console does not know yet — is shown as it is.
 */
const SYSTEM_TEXT: Array<[RegExp, (m: RegExpMatchArray) => Pair]> = [
  [/^no accept within ACK_TIMEOUT_S$/, () => ['接单时限内无人接单，升级到下一级', 'No accept in time: the next tier is paged']],
  [/^no accept: re-notify everyone$/, () => ['仍无人接单：再次通知所有人', 'Still no accept: everyone is paged again']],
  [/^tier (\d+) has nobody on duty$/, (m) => [`第 ${m[1]} 级无人在岗，跳过`, `Tier ${m[1]} has nobody on duty: skipped`]],
  [/^no one on duty$/, () => ['无人在岗', 'Nobody on duty']],
  [/^battery below (\d+) %$/, (m) => [`电量低于 ${m[1]}%`, `Battery below ${m[1]} %`]],
  [/^no activity after the automatic check-in$/, () => ['自动问询后仍无活动', 'No activity after the automatic check-in']],
  [/^every sensor of the home is offline/, () => ['家中所有传感器都已离线', 'Every sensor of the home is offline']],
  [/^no message for 3 × heartbeat$/, () => ['超过 3 个心跳周期没有消息', 'No message for 3 heartbeats']],
  [/^zigbee2mqtt reports the device offline$/, () => ['Zigbee 网关报告设备离线', 'The Zigbee hub reports the device offline']],
  [/^the device reports a low battery$/, () => ['设备报告电量低', 'The device reports a low battery']],
  [/^resident_cancel$/, () => ['老人自行取消', 'Cancelled by the resident']],
];

/**
 * The service writes its visit-log notes as "English (中文)" (e.g. the check-in stages of issue
 * 19): the part in the user's language; a note without the Chinese part is shown as it is.
 */
export function bilingualNote(note: string): string {
  const m = /^(.*) \(([^()]*[\u4e00-\u9fff][^()]*)\)$/.exec(note);
  if (!m) return note;
  return i18n.locale.startsWith('zh') ? m[2]! : m[1]!;
}

export function escalationReasonText(text: string, fromSystem: boolean): string {
  if (!fromSystem && !/^(no accept|tier \d+ has nobody)/.test(text)) return text;
  for (const [re, say] of SYSTEM_TEXT) {
    const m = re.exec(text);
    if (m) return say(m)[i18n.lang === 'zh' ? 0 : 1];
  }
  return text;
}

/**
 * Why a notification was not sent, from the sender's English text (the `notifications.error`
 * column): the common, fixed ones in the user's language; a provider's own answer (its code and
 * message) is shown as the provider said it, after "服务商返回".
 */
const NOTIFICATION_ERROR: Array<[RegExp, (m: RegExpMatchArray) => Pair]> = [
  [/^no webhook configured$/, () => ['未配置短信/语音网关', 'No SMS/voice webhook configured']],
  [/^(Aliyun|Tencent) (SMS|voice) not configured$/, (m) => [`未配置${m[1] === 'Aliyun' ? '阿里云' : '腾讯云'}${m[2] === 'SMS' ? '短信' : '语音'}`, `${m[1]} ${m[2]} not configured`]],
  [/^(\w+) robot not configured$/, (m) => [`未配置群机器人（${m[1]}）`, `No ${m[1]} group robot configured`]],
  [/^no account$/, () => ['此人没有登录账号，无法应用内通知', 'No console account: no in-app notice']],
  [/^subscription removed$/, () => ['已取消手机推送', 'Push subscription removed']],
  [/^subscription gone/, () => ['手机推送订阅已失效', 'Push subscription expired']],
  [/^no one on duty and no supervisor available$/, () => ['无人在岗，也没有值班主任', 'Nobody on duty and no supervisor']],
  [/^no supervisor available$/, () => ['没有在岗的值班主任', 'No supervisor available']],
  [/^no Redis/, () => ['服务内部连接中断：设备未收到', 'Internal link down: the devices were not told']],
  [/^Redis refused/, () => ['服务内部连接中断：设备未收到', 'Internal link down: the devices were not told']],
];

export function notificationErrorText(error: string): string {
  for (const [re, say] of NOTIFICATION_ERROR) {
    const m = re.exec(error);
    if (m) return say(m)[i18n.lang === 'zh' ? 0 : 1];
  }
  return i18n.lang === 'zh' ? `服务商返回：${error}` : error;
}

/** A report group of the SLA report: "2026-12-06 day" → "12月6日 周日 日间". */
export function reportGroupLabel(groupBy: string, label: string, locale: string): string {
  if (groupBy === 'responder' && label === '(not accepted)') return i18n.lang === 'zh' ? '未接单' : 'Not accepted';
  const m = groupBy === 'shift' ? /^(\d{4})-(\d{2})-(\d{2}) (day|night)$/.exec(label) : null;
  if (!m) return label;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12));
  const day = new Intl.DateTimeFormat(locale, { month: 'long', day: 'numeric', weekday: 'short', timeZone: 'UTC' }).format(date);
  const shift = m[4] === 'day' ? (i18n.lang === 'zh' ? '日间' : 'day') : (i18n.lang === 'zh' ? '夜间' : 'night');
  return `${day} ${shift}`;
}
