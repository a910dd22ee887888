import type { DeviceCredential } from '../../domain/device-credentials.js';
import type { EventType } from '../../domain/device-kinds.js';

export type FleetClient = 'mqtt.js' | 'lean';

/** Requests the bench sends a fleet child process (one MQTT connection per device). */
export type FleetRequest =
  /** `client`: mqtt.js (simulators/simulated-device.ts) or the lean hand-written client (lean-device.ts). */
  | { op: 'connect'; url: string; devices: DeviceCredential[]; localAddress?: string; batch: number; heartbeats: boolean; timeoutMs: number; client: FleetClient; stopAfterMs?: number }
  /** Every device keeps `inflight` QoS 1 events outstanding until `seconds` have passed. */
  | { op: 'closed-loop'; seconds: number; warmupS: number; inflight: number }
  /**
   * Device i sends one event of `type`, at `rate` per second in device order; with `cycle`,
   * `count` events in all, round-robin over the connected devices (a steady telemetry load).
   */
  | { op: 'schedule'; type: EventType; rate: number; count: number; ackTimeoutMs: number; cycle?: boolean }
  /** Every device's socket dies at once, then every device reconnects at once. */
  | { op: 'storm'; timeoutMs: number }
  | { op: 'teardown' };

export interface ConnectReply { connected: number; failed: number; firstError: string | null; ms: number }
export interface ClosedLoopReply { sent: number; acked: number; failed: number; measuredAcked: number; measuredMs: number; latencies: number[] }
export interface SentRecord { deviceId: string; householdId: string; eventId: string; sentAt: number; ackMs: number | null; error: string | null }
export interface ScheduleReply { records: SentRecord[]; seconds: number }
export interface StormReply { devices: number; reconnected: number; ms: number }

export type FleetReply = ConnectReply | ClosedLoopReply | ScheduleReply | StormReply | Record<string, never>;
export interface FleetEnvelope { id: number; request: FleetRequest }
export interface FleetAnswer { id: number; ok: boolean; reply?: FleetReply; error?: string }
