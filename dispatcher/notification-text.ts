import type { AlertKind } from '../domain/alert-kinds.js';
import type { NotificationMessage, Recipient } from './notifiers/notifier.js';

/**
 * What a phone shows or an SMS says. Chinese first: responders, family and the dispatch room in
 * the seed community read Chinese (DESIGN §0); short enough for one SMS where possible.
 */
export const KIND_LABEL: Record<AlertKind, string> = {
  sos: 'SOS紧急呼叫', fall: '跌倒报警', smoke: '烟雾报警', gas: '燃气报警', water_leak: '漏水报警',
  inactivity: '长时间无活动', household_unmonitored: '家中设备全部离线', device_offline: '设备离线', battery_low: '设备电量低',
  wandering: '夜间外出未归',
};

type Alert = NotificationMessage['alert'];
type Household = NotificationMessage['household'];

const place = (h: Household) => `${h.buildingName} ${h.unit}`;
const minutes = (s: number) => Math.max(1, Math.round(s / 60));

export function titleOf(alert: Alert): string {
  return `365云守护 · ${KIND_LABEL[alert.kind]}`;
}

export function pageText(alert: Alert, h: Household, level: number, topLevel: number) {
  return (r: Recipient): string => {
    if (r.kind !== 'responder') {
      return `【365云守护】${h.address} ${h.unit} 发生${KIND_LABEL[alert.kind]}，社区正在处置，请尽快联系老人或前往。`;
    }
    const round = level > topLevel ? '（再次通知：仍无人接单）' : level > 0 ? `（已升级至第${level + 1}级）` : '';
    return `【365云守护】${KIND_LABEL[alert.kind]}${round}：${place(h)}（${h.address}），请立即接单并上门。`;
  };
}

export function informText(alert: Alert, h: Household) {
  return (): string => `【365云守护】${place(h)} 发生${KIND_LABEL[alert.kind]}，已通知值班人员，请留意并就近协助。`;
}

/** A backup call (issue 15): the holder is not at the door yet. */
export function backupText(alert: Alert, h: Household) {
  return (): string => `【365云守护】${KIND_LABEL[alert.kind]}：${place(h)}（${h.address}）接单人尚未到场，请您作为后援立即上门。`;
}

export function reminderText(alert: Alert, h: Household) {
  return (): string => `【365云守护】您已接单的${KIND_LABEL[alert.kind]}（${place(h)}）尚未到场，请尽快上门，到场后点“已到达”。`;
}

export function supervisorText(alert: Alert, h: Household, why: 'sla_warn' | 'sla_breach' | 'nobody_on_duty', seconds: number) {
  return (): string => {
    const what = `${KIND_LABEL[alert.kind]}（${place(h)}）`;
    switch (why) {
      case 'sla_warn': return `【365云守护】${what} 首次报警已${minutes(seconds)}分钟，仍无人到场，请督办。`;
      case 'sla_breach': return `【365云守护】${what} 已超过${minutes(seconds)}分钟到场时限，仍无人到场！`;
      case 'nobody_on_duty': return `【365云守护】${what} 当前无人值班可通知，请立即安排人员处置。`;
    }
  };
}
