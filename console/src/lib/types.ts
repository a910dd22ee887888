/**
 * What the console receives over HTTP (api/schemas/*.ts) and the live feed (domain/live-events.ts).
 * The console talks to the service only through HTTP/WebSocket (DESIGN §8), so the shapes are
 * restated here instead of imported; keep them in step with the API schemas.
 */
export type Role = 'admin' | 'operator' | 'supervisor' | 'responder' | 'street';
export type Severity = 'critical' | 'high' | 'maintenance';
export type AlertKind =
  | 'sos' | 'fall' | 'smoke' | 'gas' | 'water_leak' | 'inactivity' | 'household_unmonitored'
  | 'device_offline' | 'battery_low' | 'wandering';
export type AlertState = 'open' | 'notified' | 'accepted' | 'on_site' | 'resolved' | 'cancelled';
export type Outcome = 'assisted' | 'false_alarm' | 'hospital' | 'no_answer' | 'other';

export const ALERT_KINDS: readonly AlertKind[] = [
  'sos', 'fall', 'smoke', 'gas', 'water_leak', 'inactivity', 'household_unmonitored', 'device_offline', 'battery_low', 'wandering',
];
export const LIVE_STATES: readonly AlertState[] = ['open', 'notified', 'accepted', 'on_site'];
export const OUTCOMES: readonly Outcome[] = ['assisted', 'false_alarm', 'hospital', 'no_answer', 'other'];
export const SEVERITY_OF: Record<AlertKind, Severity> = {
  sos: 'critical', fall: 'critical', smoke: 'critical', gas: 'critical',
  water_leak: 'high', inactivity: 'high', household_unmonitored: 'high',
  device_offline: 'maintenance', battery_low: 'maintenance', wandering: 'high',
};

export interface User {
  username: string;
  role: Role;
  displayName: string | null;
  responderId: string | null;
}

export interface HouseholdPlace { unit: string; buildingName: string; gridName: string }

/** An alert as the list endpoint returns it; live events carry a subset (see AlertLiveData). */
export interface Alert {
  id: string;
  kind: AlertKind;
  severity: Severity;
  state: AlertState;
  householdId: string;
  level: number;
  openedAt?: string;
  firstSignalAt: string;
  lastSignalAt?: string;
  signalCount?: number;
  acceptedBy?: string | null;
  /** The holder's name ("已被 X 接单"), from the list, the snapshot and live events. */
  acceptedByName?: string | null;
  acceptedAt?: string | null;
  onSiteAt?: string | null;
  closedAt?: string | null;
  outcome?: Outcome | null;
  ackBreached?: boolean;
  slaWarned?: boolean;
  onsiteBreached?: boolean;
  household?: HouseholdPlace;
}

export interface TimelineEntry {
  id: number; at: string; actor: string; type: string;
  fromState: string | null; toState: string | null; data: unknown;
  /** The person behind `actor` and the responder an action was recorded for (data.by). */
  actorName?: string | null; byName?: string | null;
}

/** What the signed-in user may do on an alert by their rights (the API's `rights`). */
export type ActionRight = 'accept' | 'arrive' | 'resolve' | 'cancel' | 'escalate' | 'note' | 'decline' | 'hand_back';
export interface AlertSignal { deviceId: string; eventId: string; type: string; ts: string; receivedAt: string }
export interface NotificationAttempt {
  id: number; responderId: string | null; responderName?: string | null; responderRole?: string | null;
  tier: number | null; round?: string; purpose?: string; channel: string; target: string;
  status: string; error: string | null; attempts?: number; at: string; sentAt?: string | null; seenAt: string | null; seen?: boolean;
}
export interface AlertDetail extends Alert {
  deviceId: string | null;
  updatedAt: string;
  routedAt: string | null;
  notifiedAt: string | null;
  resolutionNote: string | null;
  cancelReason: string | null;
  /** Issue 15: who pressed 到达 first, and since when nobody free could be sent (the red banner). */
  onSiteBy?: string | null;
  nobodyAvailableAt?: string | null;
  timeline: TimelineEntry[];
  signals: AlertSignal[];
  notifications: NotificationAttempt[];
  rights?: ActionRight[];
}

export interface HouseholdItem {
  id: string; unit: string; address: string; code?: string; communityId?: string; retiredAt?: string | null;
  buildingId: string; buildingName: string; gridId: string; gridName: string;
  residents: string[];
  lastActivityAt: string | null;
  devicesOnline: number; devicesTotal: number; openAlerts: number;
}

export interface Device {
  id: string; householdId: string; kind: string; room: string | null; parentId: string | null;
  heartbeatS: number; online: boolean; lastSeenAt: string | null; battery: number | null; rssi: number | null;
  revokedAt: string | null; createdAt: string;
}

export interface Resident {
  id: number; name: string; gender: string | null; birthYear: number | null; phone: string | null;
  idNumber: string | null; conditions: string[]; notes: string | null;
}
export interface Contact { id: number; name: string; relation: string; phone: string; priority: number }
export interface Visit {
  id: number; kind: string; at: string; byUser: string | null; responderId: string | null;
  note: string; scheduledFor: string | null;
}
export interface AuditEntry { at: string; username: string; role: string; action: string; target?: string; data?: unknown }

export interface HouseholdFile {
  household: {
    id: string; unit: string; address: string; phone: string | null; livingSituation: string;
    inactivityDayS: number; inactivityNightS: number; notes: string | null; lastActivityAt: string | null;
    createdAt: string; buildingId: string; buildingName: string; gridId: string; gridName: string;
    communityId: string; communityName: string;
  };
  masked: boolean;
  residents: Resident[];
  contacts: Contact[];
  devices: Device[];
  alerts: Alert[];
  visits: Visit[];
  signals: { ts: string; receivedAt: string; deviceId: string; eventId: string; type: string; value: unknown; battery: number | null; room: string | null }[];
  /** The last 7 days of hourly buckets from activity_hourly. */
  activity?: { bucket: string; events: number }[];
}

export type ResponderRole =
  | 'grid_worker' | 'org_specialist' | 'building_leader' | 'neighbour_buddy' | 'property_duty'
  | 'supervisor' | 'operator' | 'admin';
export const RESPONDER_ROLES: readonly ResponderRole[] = [
  'grid_worker', 'org_specialist', 'building_leader', 'neighbour_buddy', 'property_duty', 'supervisor', 'operator', 'admin',
];

/** `GET /api/v1/responders` item. `onDutyNow` = roster ∧ switch (lists only). */
export interface Responder {
  id: string; name: string; role: ResponderRole; phone?: string | null; communityId?: string;
  gridIds?: string[]; buildingIds?: string[]; householdIds?: string[];
  onDuty: boolean; active?: boolean; username?: string | null;
  /** Roster ∧ switch at this moment (the header falls back to onDuty for a live update). */
  onDutyNow?: boolean;
}

export interface RosterRow {
  id: number; responderId: string; responderName?: string; responderRole?: string;
  weekday: number | null; onDate: string | null; starts: string; ends: string; offDuty: boolean;
}

export interface Page<T> { items: T[]; total: number }

/** Live feed messages of DESIGN §6 / domain/live-events.ts. */
export interface HouseholdStatusData { householdId: string; liveAlerts?: number; monitored?: boolean; lastActivityAt?: string | null }
export interface DeviceStatusData { deviceId: string; householdId: string; online: boolean; battery?: number | null; lastSeenAt?: string | null }
export interface ResponderStatusData { responderId: string; role?: ResponderRole; onDuty: boolean }
export interface RosterGapData { gridId: string; role: ResponderRole; shift: 'day' | 'night'; shiftDate: string }
export type LiveEvent =
  | { seq: number; type: 'alert.created' | 'alert.updated'; data: Alert }
  | { seq: number; type: 'household.status'; data: HouseholdStatusData }
  | { seq: number; type: 'device.status'; data: DeviceStatusData }
  | { seq: number; type: 'responder.status'; data: ResponderStatusData }
  | { seq: number; type: 'roster.gap'; data: RosterGapData }
  | { seq: number; type: 'responder.notify'; data: ResponderNotifyData };

/** domain/notification-events.ts: an in-app page for one responder. */
export interface ResponderNotifyData {
  responderId: string; alertId: string; notificationId: number; purpose: string;
  tier: number | null; round: string; title: string; text: string;
}

export interface CommunitySummary {
  households: number; householdsWithLiveAlerts: number; devices: number; devicesOnline: number;
  liveAlertsByState: Record<string, number>; respondersOnDuty: number;
}

/** The first message after connecting. Its `data` is read defensively: every field optional. */
export interface LiveSnapshot {
  type: 'snapshot';
  seq: number;
  data: {
    alerts?: Alert[];
    households?: HouseholdItem[];
    responders?: Responder[];
    summary?: CommunitySummary | null;
    at?: string;
    /** The SLA/ack settings and the shift in force (domain/dispatch-timing.ts). */
    config?: ServiceConfig;
    community?: { id: string; name: string };
  };
}

/**
 * The timing the screens count with, as the server decides it (snapshot and GET /settings).
 * There is no default: until the server has said, a countdown shows "—" rather than a guess.
 */
export interface ServiceConfig {
  slaWarnS: number;
  slaOnsiteS: number;
  ackTimeoutS: number;
  dayShift: string;
  tz: string;
  /** The shift at the time of the answer, and when it ends (the console asks again then). */
  shift?: { name: 'day' | 'night'; date: string; endsAt: string };
}

/** Zone of dates and times before the server has said (GUARDIAN_TZ's default). */
export const FALLBACK_TZ = 'Asia/Shanghai';

/** One person the dispatch room could send (GET /alerts/:id/candidates, issue 15). */
export interface DispatchCandidate {
  responderId: string; name: string; role: string; gridIds: string[];
  etaS: number | null; state: 'free' | 'paged' | 'en_route' | 'on_site' | 'busy' | 'declined'; onDuty: boolean; eligible: boolean;
}
