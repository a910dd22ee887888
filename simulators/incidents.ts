import type { DeviceKind } from '../domain/device-kinds.js';
import { between } from '../domain/seeded-random.js';
import type { SendResult, SimulatedDevice } from './simulated-device.js';

/**
 * Scripted incidents, played on already-connected devices of one household (the routine
 * simulation and the standalone `simulate incident` command share them). Steps run in real
 * time: the server's windows (a resident's cancel within 60 s, ack timers) are real time.
 */
export const INCIDENT_TYPES = ['sos', 'fall', 'smoke', 'inactivity', 'offline'] as const;
export type IncidentType = (typeof INCIDENT_TYPES)[number];
export const SOS_VARIANTS = ['press', 'repeat', 'false_alarm'] as const;
export type SosVariant = (typeof SOS_VARIANTS)[number];

export const isIncidentType = (v: string): v is IncidentType => (INCIDENT_TYPES as readonly string[]).includes(v);
export const isSosVariant = (v: string): v is SosVariant => (SOS_VARIANTS as readonly string[]).includes(v);

export interface IncidentContext {
  householdId: string;
  devices: readonly SimulatedDevice[];
  log: (line: string) => void;
  random?: () => number;
  /** Silences the resident (activity, check-in answers) for realMs; heartbeats go on. */
  quiet?: (realMs: number) => void;
  /** Aborting ends pending waits and recoveries early (the simulation is stopping). */
  signal?: AbortSignal;
}

export interface IncidentOptions {
  variant?: SosVariant;
  /** inactivity: how long the home stays quiet; fall: how long the resident lies still. */
  quietMs?: number;
  /** offline: reconnect the devices after this long; undefined leaves them down. */
  recoverAfterMs?: number;
}

export interface IncidentReport {
  householdId: string;
  type: IncidentType;
  variant?: SosVariant;
  sent: SendResult[];
  allAcked: boolean;
  notes: string[];
}

/** The household lacks the device an incident needs (e.g. no fall radar for a fall). */
export class IncidentNotPossibleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IncidentNotPossibleError';
  }
}

const NEEDS: Partial<Record<IncidentType, readonly DeviceKind[]>> = {
  sos: ['sos_button', 'pull_cord'],
  fall: ['fall_radar'],
  smoke: ['smoke_detector'],
};

/** The device that plays the incident's alarm, or undefined when the home has none. */
export function incidentDevice<T extends { kind: DeviceKind }>(type: IncidentType, devices: readonly T[]): T | undefined {
  const kinds = NEEDS[type];
  if (!kinds) return undefined;
  for (const k of kinds) {
    const d = devices.find((x) => x.kind === k);
    if (d) return d;
  }
  return undefined;
}

export function canPlayIncident(type: IncidentType, devices: readonly { kind: DeviceKind }[]): boolean {
  return NEEDS[type] === undefined ? devices.length > 0 : incidentDevice(type, devices) !== undefined;
}

export async function runIncident(type: IncidentType, ctx: IncidentContext, opts: IncidentOptions = {}): Promise<IncidentReport> {
  const random = ctx.random ?? Math.random;
  const report: IncidentReport = { householdId: ctx.householdId, type, sent: [], allAcked: true, notes: [] };
  const note = (m: string) => { report.notes.push(m); ctx.log(`[${ctx.householdId}] ${type}: ${m}`); };
  const send = async (d: SimulatedDevice, ...args: Parameters<SimulatedDevice['send']>) => {
    const r = await d.send(...args);
    report.sent.push(r);
    if (!r.acked) report.allAcked = false;
    note(`${d.deviceId} sent ${r.type} ${r.eventId}: ${r.acked ? `PUBACK in ${r.latencyMs!.toFixed(1)} ms` : `no PUBACK (${r.error})`}`);
    return r;
  };
  const wait = (ms: number) => sleep(ms, ctx.signal);

  const device = incidentDevice(type, ctx.devices);
  if (NEEDS[type] && !device) {
    throw new IncidentNotPossibleError(`household ${ctx.householdId} has no ${NEEDS[type]!.join(' or ')} for a ${type} incident`);
  }

  switch (type) {
    case 'sos': {
      const r = random();
      const variant = opts.variant ?? (r < 0.15 ? 'false_alarm' : r < 0.45 ? 'repeat' : 'press');
      report.variant = variant;
      await send(device!, 'sos', { value: true, battery: Math.round(device!.battery) });
      if (variant === 'repeat') {
        // Nobody came yet, so the resident presses again (timeline "repeat press").
        const presses = 1 + Math.floor(random() * 2);
        for (let i = 0; i < presses && !ctx.signal?.aborted; i++) {
          await wait(between(random, 5_000, 15_000));
          await send(device!, 'sos', { value: true });
        }
      } else if (variant === 'false_alarm') {
        // Pressed by mistake and cancelled inside the 60 s window (DESIGN §3).
        await wait(between(random, 10_000, 40_000));
        if (!ctx.signal?.aborted) await send(device!, 'cancel', { value: 'pressed by mistake' });
      }
      break;
    }
    case 'fall': {
      ctx.quiet?.(opts.quietMs ?? 10 * 60_000);
      await send(device!, 'fall', { value: true, confidence: Math.round(between(random, 0.8, 0.99) * 100) / 100, room: device!.credential.room ?? undefined });
      note('the resident lies still: no activity, no answer to check-ins');
      break;
    }
    case 'smoke':
      await send(device!, 'smoke', { value: true, battery: Math.round(device!.battery) });
      break;
    case 'inactivity': {
      const ms = opts.quietMs ?? 60_000;
      ctx.quiet?.(ms);
      note(`no activity for ${Math.round(ms / 1000)} s; heartbeats continue`);
      break;
    }
    case 'offline': {
      for (const d of ctx.devices) d.crash();
      note(`${ctx.devices.length} devices lost their connection without DISCONNECT (the broker publishes their will)`);
      if (opts.recoverAfterMs !== undefined) {
        const ms = opts.recoverAfterMs;
        void wait(ms).then(() => {
          if (ctx.signal?.aborted) return;
          for (const d of ctx.devices) d.recover();
          ctx.log(`[${ctx.householdId}] offline: devices back after ${Math.round(ms / 1000)} s`);
        });
      }
      break;
    }
  }
  return report;
}

/** setTimeout as a promise that resolves early when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => { clearTimeout(timer); signal?.removeEventListener('abort', done); resolve(); };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
