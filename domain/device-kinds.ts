/** Device kinds and the event types each may send (DESIGN §2). */
export const DEVICE_KINDS = [
  'sos_button', 'pull_cord', 'fall_radar', 'pir', 'door_contact', 'bed_sensor',
  'water_meter', 'smoke_detector', 'gas_detector', 'leak_sensor', 'z2m_hub',
] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export const EVENT_TYPES = [
  'sos', 'fall', 'motion', 'door', 'bed', 'presence', 'water_use', 'button',
  'smoke', 'gas', 'water_leak', 'heartbeat', 'battery', 'cancel',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Sent by every kind: liveness and housekeeping. */
const COMMON: readonly EventType[] = ['heartbeat', 'battery'];

/** What each kind may send. A z2m hub relays for its children, so it may send anything. */
export const KIND_EVENTS: Record<DeviceKind, ReadonlySet<EventType>> = {
  sos_button: new Set([...COMMON, 'sos', 'cancel', 'button']),
  pull_cord: new Set([...COMMON, 'sos', 'cancel']),
  fall_radar: new Set([...COMMON, 'fall', 'presence', 'motion']),
  pir: new Set([...COMMON, 'motion', 'presence']),
  door_contact: new Set([...COMMON, 'door']),
  bed_sensor: new Set([...COMMON, 'bed', 'presence']),
  water_meter: new Set([...COMMON, 'water_use']),
  smoke_detector: new Set([...COMMON, 'smoke']),
  gas_detector: new Set([...COMMON, 'gas']),
  leak_sensor: new Set([...COMMON, 'water_leak']),
  z2m_hub: new Set(EVENT_TYPES),
};

/** Events that show a person is up and about (DESIGN §4, inactivity rule). */
export const ACTIVITY_EVENTS: ReadonlySet<EventType> = new Set([
  'motion', 'door', 'bed', 'presence', 'water_use', 'button',
]);

/** Alert-class events are committed before the PUBACK (DESIGN §2 durability). */
export const ALERT_CLASS_EVENTS: ReadonlySet<EventType> = new Set([
  'sos', 'fall', 'smoke', 'gas', 'water_leak', 'cancel',
]);

export function isDeviceKind(value: string): value is DeviceKind {
  return (DEVICE_KINDS as readonly string[]).includes(value);
}

export function kindMaySend(kind: DeviceKind, type: EventType): boolean {
  return KIND_EVENTS[kind].has(type);
}
