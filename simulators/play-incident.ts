import { connectInBatches } from './connection-ramp.js';
import type { HouseholdCredentials } from './credentials.js';
import { IncidentNotPossibleError, canPlayIncident, incidentDevice, runIncident, sleep, type IncidentReport, type IncidentType, type SosVariant } from './incidents.js';
import { SimulatedDevice } from './simulated-device.js';
import { SimulationStats } from './stats.js';

export interface PlayIncidentOptions {
  url: string;
  household: HouseholdCredentials;
  type: IncidentType;
  variant?: SosVariant;
  /**
   * inactivity: how long the home stays quiet while heartbeats go on (default 60 s);
   * offline: how long to wait after the drop before exiting (default 0);
   * sos/fall/smoke: how long to stay connected afterwards to show downlinks such as
   * alert_ack (default 2 s).
   */
  durationS?: number;
  log?: (line: string) => void;
  random?: () => number;
}

export interface PlayIncidentReport extends IncidentReport {
  devices: number;
  connected: number;
  connectFailures: { deviceId: string; error: string }[];
  /** Downlink commands received while connected. */
  commands: number;
  /** Heartbeats and other events sent besides the incident's own (e.g. during inactivity). */
  otherSent: number;
}

/**
 * Standalone incident (`npx guardian simulate incident`): connects the household's devices,
 * plays the incident, lingers, disconnects. If a routine simulator holds the same devices,
 * the broker hands their sessions over to us (same clientId); the routine's backoff lets us finish.
 */
export async function playIncident(opts: PlayIncidentOptions): Promise<PlayIncidentReport> {
  const log = opts.log ?? (() => {});
  const { household, type } = opts;
  if (!canPlayIncident(type, household.devices)) {
    throw new IncidentNotPossibleError(`household ${household.householdId} has no device that can play a ${type} incident`);
  }
  const stats = new SimulationStats();
  let quietUntil = 0;
  // The alarm device only, unless the incident concerns the whole home.
  const wholeHome = type === 'inactivity' || type === 'offline';
  const creds = wholeHome ? household.devices : [incidentDevice(type, household.devices)!];
  const devices = creds.map((credential) => new SimulatedDevice({
    url: opts.url, credential, battery: 90, stats, log, random: opts.random,
    // Backoff starting at 0.5 s: when a routine simulator holds these devices, we win the handover.
    backoff: { minMs: 500, maxMs: 2000 },
    residentUnable: () => Date.now() < quietUntil,
  }));
  try {
    const ramp = await connectInBatches(devices, { timeoutMs: 10_000 });
    if (ramp.connected === 0) {
      throw new Error(`no device of household ${household.householdId} could connect: ${ramp.failed[0]?.error ?? 'unknown error'}`);
    }
    const connectedDevices = devices.filter((d) => d.up);
    const durationMs = (opts.durationS ?? (type === 'inactivity' ? 60 : type === 'offline' ? 0 : 2)) * 1000;
    const report = await runIncident(type, {
      householdId: household.householdId, devices: connectedDevices, log, random: opts.random,
      quiet: (ms) => { quietUntil = Date.now() + ms; },
    }, { variant: opts.variant, quietMs: durationMs });
    await sleep(durationMs);
    return {
      ...report, devices: devices.length, connected: ramp.connected, connectFailures: ramp.failed,
      commands: stats.commands, otherSent: stats.sent - report.sent.length,
    };
  } finally {
    // Crashed devices (offline) stay down: stop() only closes their sockets, no `offline` publish.
    await Promise.all(devices.map((d) => d.stop()));
  }
}
