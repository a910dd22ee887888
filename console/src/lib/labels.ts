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
  check_in: ['主动问询', 'Check-in'],
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
