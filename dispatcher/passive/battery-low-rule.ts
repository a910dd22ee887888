import { openSystemAlert } from '../../store/passive-alerts-repository.js';
import { lowBatteryDevices, type LowBatteryDevice } from '../../store/passive-queries-repository.js';
import type { RuleContext } from './rule-context.js';

/** DESIGN §4: battery < 20 % → battery_low (maintenance); one live alert per home, listing its devices. */
export const BATTERY_LOW_PCT = 20;
/** After a battery_low alert is closed, that home gets no new one for this long (see lowBatteryDevices). */
export const BATTERY_LOW_QUIET_MS = 24 * 3600_000;

export async function sweepBatteryLow(ctx: RuleContext): Promise<number> {
  const byHome = new Map<string, LowBatteryDevice[]>();
  for (const d of await lowBatteryDevices(ctx.pool, ctx.now, BATTERY_LOW_QUIET_MS)) {
    const list = byHome.get(d.householdId);
    if (list) list.push(d);
    else byHome.set(d.householdId, [d]);
  }
  let opened = 0;
  for (const [householdId, devices] of byHome) {
    const result = await openSystemAlert(ctx.pool, {
      householdId, kind: 'battery_low', deviceId: devices.length === 1 ? devices[0]!.id : null, firstSignalAt: ctx.now,
      data: {
        reason: `battery below ${BATTERY_LOW_PCT} %`, thresholdPct: BATTERY_LOW_PCT,
        devices: devices.map((d) => ({ id: d.id, kind: d.kind, room: d.room, battery: d.battery })),
      },
    });
    if (result.created && result.alertId) {
      opened++;
      ctx.out.alertOpened(result.alertId, result.live);
      ctx.log.info(`battery_low alert ${result.alertId} opened for household ${householdId} (${devices.length} device(s))`);
    }
  }
  return opened;
}
