import type pg from 'pg';
import type { AlertKind } from '../../../domain/alert-kinds.js';
import type { Clock } from '../../../domain/clock.js';
import type { LiveEvent } from '../../../domain/live-events.js';
import { openSystemAlert } from '../../../store/passive-alerts-repository.js';
import { markOffline, sensorsOffline } from '../../../store/zigbee2mqtt-repository.js';
import type { DeviceSession } from '../../device-session.js';

/** Told about an alert the adapter opened, to route it and publish it live. */
export type SystemAlertListener = (alertId: string, live: LiveEvent[]) => void;

/**
 * Alerts a hub reports for its children without waiting for a sweep: zigbee2mqtt's availability
 * `offline` opens device_offline, or household_unmonitored when it was the home's last sensor
 * online (the same rule as the passive sweep, DESIGN §4); a `battery_low` flag opens battery_low.
 * One live alert per (household, kind): a second report finds the first and adds nothing.
 */
export class ChildAlerts {
  constructor(private readonly deps: { pool: pg.Pool; clock: Clock; onOpened?: SystemAlertListener; log: (m: string, e?: unknown) => void }) {}

  async offline(child: DeviceSession): Promise<void> {
    await markOffline(this.deps.pool, child.deviceId);
    const { total, offline } = await sensorsOffline(this.deps.pool, child.householdId);
    const unmonitored = total > 0 && offline >= total;
    await this.open(child, unmonitored ? 'household_unmonitored' : 'device_offline', {
      reason: unmonitored ? 'every sensor of the home is offline (zigbee2mqtt availability)' : 'zigbee2mqtt reports the device offline',
      sensors: total, source: 'zigbee2mqtt_availability',
      devices: [{ id: child.deviceId, kind: child.kind, room: child.room }],
    });
  }

  async batteryLow(child: DeviceSession, battery: number | undefined): Promise<void> {
    await this.open(child, 'battery_low', {
      reason: 'the device reports a low battery', source: 'zigbee2mqtt_battery_low',
      devices: [{ id: child.deviceId, kind: child.kind, room: child.room, battery: battery ?? null }],
    });
  }

  private async open(child: DeviceSession, kind: AlertKind, data: Record<string, unknown>): Promise<void> {
    const result = await openSystemAlert(this.deps.pool, {
      householdId: child.householdId, kind, deviceId: child.deviceId, firstSignalAt: this.deps.clock.now(), data,
    });
    if (result.created && result.alertId) {
      this.deps.log(`${kind} alert ${result.alertId} opened for household ${child.householdId} (zigbee child ${child.deviceId})`);
      this.deps.onOpened?.(result.alertId, result.live);
    }
  }
}
