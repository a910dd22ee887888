import type { AlertKind, AlertState, Outcome, Severity } from './alert-kinds.js';
import type { ResponderRole } from './roster.js';
import type { Shift } from './shift-clock.js';

/**
 * The live feed of DESIGN §6 (`GET /api/v1/live`): `{seq, type, data}` messages, fanned out
 * between API instances on LIVE_CHANNEL (domain/queues.ts). Times are ISO-8601 strings because
 * these travel as JSON. `roster.gap` is ours: issue 4 item 11b warns the dispatch room when a
 * shift starts with a first-tier role uncovered.
 */
export const LIVE_EVENT_TYPES = [
  'alert.created', 'alert.updated', 'household.status', 'device.status', 'responder.status', 'roster.gap',
] as const;
export type LiveEventType = (typeof LIVE_EVENT_TYPES)[number];

export interface AlertLiveData {
  id: string;
  householdId: string;
  kind: AlertKind;
  severity: Severity;
  state: AlertState;
  level: number;
  firstSignalAt: string;
  lastSignalAt?: string;
  signalCount?: number;
  acceptedBy?: string | null;
  /** The holder's name, for "已被 X 接单" on every screen (issue 20). */
  acceptedByName?: string | null;
  acceptedAt?: string | null;
  onSiteAt?: string | null;
  closedAt?: string | null;
  outcome?: Outcome | null;
  ackBreached?: boolean;
  slaWarned?: boolean;
  onsiteBreached?: boolean;
}

export interface HouseholdStatusData {
  householdId: string;
  /** Live alerts of the home, and whether any sensor still reports. */
  liveAlerts?: number;
  monitored?: boolean;
  lastActivityAt?: string | null;
}

export interface DeviceStatusData {
  deviceId: string;
  householdId: string;
  online: boolean;
  battery?: number | null;
  lastSeenAt?: string | null;
}

export interface ResponderStatusData {
  responderId: string;
  role?: ResponderRole;
  onDuty: boolean;
}

export interface RosterGapData {
  gridId: string;
  role: ResponderRole;
  shift: Shift;
  shiftDate: string;
}

export interface LiveEventData {
  'alert.created': AlertLiveData;
  'alert.updated': AlertLiveData;
  'household.status': HouseholdStatusData;
  'device.status': DeviceStatusData;
  'responder.status': ResponderStatusData;
  'roster.gap': RosterGapData;
}

/** One message of the feed; `seq` increases by one per message so a client resumes with ?since=seq. */
export type LiveEvent = { [K in LiveEventType]: { seq: number; type: K; data: LiveEventData[K] } }[LiveEventType];

/** A message before the publisher assigns its sequence number. */
export type UnsequencedLiveEvent = { [K in LiveEventType]: { type: K; data: LiveEventData[K] } }[LiveEventType];

const TYPE_SET: ReadonlySet<string> = new Set(LIVE_EVENT_TYPES);

export function isLiveEventType(value: unknown): value is LiveEventType {
  return typeof value === 'string' && TYPE_SET.has(value);
}

export function liveEvent<K extends LiveEventType>(seq: number, type: K, data: LiveEventData[K]): LiveEvent {
  return { seq, type, data } as LiveEvent;
}
