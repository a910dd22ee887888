import { ACTIVITY_EVENTS, DEVICE_KINDS, KIND_EVENTS, type DeviceKind } from '../../domain/device-kinds.js';

/**
 * Device kinds that can report a person moving about (DESIGN §4: motion, door, bed, presence,
 * water_use, button). Only these make a home "watched" for the inactivity rule: a home whose
 * only live device is a smoke detector cannot tell quiet from absent. A z2m hub is a relay; its
 * children are registered with their own kinds and count through those.
 */
export const ACTIVITY_SENSOR_KINDS: readonly DeviceKind[] = DEVICE_KINDS.filter(
  (k) => k !== 'z2m_hub' && [...KIND_EVENTS[k]].some((t) => ACTIVITY_EVENTS.has(t)));
