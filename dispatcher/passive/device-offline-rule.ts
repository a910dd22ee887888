import type { AlertKind } from '../../domain/alert-kinds.js';
import { openSystemAlert } from '../../store/passive-alerts-repository.js';
import { liveAlertKeys, markDevicesOffline, sensorCounts, silentDevices, type SilentDevice } from '../../store/passive-queries-repository.js';
import type { RuleContext } from './rule-context.js';

export interface OfflineSweepResult { silent: number; markedOffline: number; opened: Array<{ householdId: string; kind: AlertKind; alertId: string }> }

/**
 * device_offline and household_unmonitored (DESIGN §4): a device is offline after 3 × its
 * heartbeat without any message (zigbee children included; a device that never reported counts
 * from its registration). Per home:
 * - every sensor silent (a z2m hub is a relay, not a sensor) → household_unmonitored (high),
 *   INSTEAD of device_offline: it is the same fact, and the more urgent one — nobody can see
 *   this resident fall or stop moving. Its data lists the devices.
 * - otherwise, any silent device → one device_offline alert (maintenance) listing them.
 * - while household_unmonitored is live, no device_offline is added for the same devices.
 * One live alert per (household, kind): a home already alerted is left alone (no timeline spam).
 * Silent devices still flagged online are set offline, with a device.status live event each.
 */
export async function sweepDeviceOffline(ctx: RuleContext): Promise<OfflineSweepResult> {
  const silent = await silentDevices(ctx.pool, ctx.now);
  const statusEvents = await markDevicesOffline(ctx.pool, silent.map((d) => d.id));
  ctx.out.publish(statusEvents);

  const byHome = new Map<string, SilentDevice[]>();
  for (const d of silent) {
    const list = byHome.get(d.householdId);
    if (list) list.push(d);
    else byHome.set(d.householdId, [d]);
  }
  const homes = [...byHome.keys()];
  const [sensors, live] = await Promise.all([
    sensorCounts(ctx.pool, homes),
    liveAlertKeys(ctx.pool, homes, ['device_offline', 'household_unmonitored']),
  ]);

  const opened: OfflineSweepResult['opened'] = [];
  for (const [householdId, devices] of byHome) {
    const total = sensors.get(householdId) ?? 0;
    const silentSensors = devices.filter((d) => d.kind !== 'z2m_hub').length;
    const unmonitored = total > 0 && silentSensors >= total;
    if (live.has(`${householdId}|household_unmonitored`)) continue;
    const kind: AlertKind = unmonitored ? 'household_unmonitored' : 'device_offline';
    if (live.has(`${householdId}|${kind}`)) continue;
    const result = await openSystemAlert(ctx.pool, {
      householdId, kind, deviceId: devices.length === 1 ? devices[0]!.id : null, firstSignalAt: ctx.now,
      data: {
        reason: unmonitored ? 'every sensor of the home is offline' : 'no message for 3 × heartbeat',
        sensors: total,
        devices: devices.map((d) => ({
          id: d.id, kind: d.kind, room: d.room, heartbeatS: d.heartbeatS, lastSeenAt: d.lastSeenAt?.toISOString() ?? null,
        })),
      },
    });
    if (result.created && result.alertId) {
      opened.push({ householdId, kind, alertId: result.alertId });
      ctx.out.alertOpened(result.alertId, result.live);
      ctx.log.info(`${kind} alert ${result.alertId} opened for household ${householdId} (${devices.length} device(s) silent)`);
    }
  }
  return { silent: silent.length, markedOffline: statusEvents.length, opened };
}
