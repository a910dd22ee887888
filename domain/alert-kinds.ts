import type { EventType } from './device-kinds.js';

/** Alert kinds by severity (DESIGN §3). */
export const ALERT_KINDS = [
  'sos', 'fall', 'smoke', 'gas', 'water_leak', 'inactivity', 'household_unmonitored',
  'device_offline', 'battery_low', 'wandering',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export type Severity = 'critical' | 'high' | 'maintenance';

export const ALERT_SEVERITY: Record<AlertKind, Severity> = {
  sos: 'critical', fall: 'critical', smoke: 'critical', gas: 'critical',
  water_leak: 'high', inactivity: 'high', household_unmonitored: 'high',
  device_offline: 'maintenance', battery_low: 'maintenance',
  // A door opened at night with no return (issue 19): someone must look for the resident now.
  wandering: 'high',
};

export const ALERT_STATES = ['open', 'notified', 'accepted', 'on_site', 'resolved', 'cancelled'] as const;
export type AlertState = (typeof ALERT_STATES)[number];
export const TERMINAL_STATES: ReadonlySet<AlertState> = new Set(['resolved', 'cancelled']);

export const OUTCOMES = ['assisted', 'false_alarm', 'hospital', 'no_answer', 'other'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Which alert a device event opens; `cancel` opens none (it may cancel one). */
export const EVENT_OPENS_ALERT: Partial<Record<EventType, AlertKind>> = {
  sos: 'sos', fall: 'fall', smoke: 'smoke', gas: 'gas', water_leak: 'water_leak',
};

/** Alert kinds a resident's cancel press applies to. */
export const RESIDENT_CANCELLABLE: readonly AlertKind[] = ['sos', 'fall'];

/** A cancel press within this window cancels an alert nobody accepted (DESIGN §3). */
export const RESIDENT_CANCEL_WINDOW_MS = 60_000;

/** SQL-friendly list of states that count as "live". */
/** Alerts about the resident in person (someone goes to the door), not about a device. */
export const PERSON_ALERT_KINDS: readonly AlertKind[] = ['sos', 'fall', 'inactivity', 'wandering'];

export const LIVE_STATES: readonly AlertState[] = ['open', 'notified', 'accepted', 'on_site'];
