import type { DeviceKind } from './device-kinds.js';

/**
 * A device's credentials as `npx guardian seed --demo` writes them (0600) to
 * `DATA_DIR/demo-devices.json` for the simulators: the database keeps only hashes (DESIGN §1).
 */
export interface DeviceCredential {
  deviceId: string;
  secret: string;
  householdId: string;
  kind: DeviceKind;
  room: string | null;
  heartbeatS: number;
}
