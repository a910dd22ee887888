import type { Clock } from '../domain/clock.js';
import { ACTIVITY_EVENTS, ALERT_CLASS_EVENTS, kindMaySend } from '../domain/device-kinds.js';
import { effectiveEventTime, parseEventPayload, type DeviceEvent } from '../domain/event-schema.js';
import type { AlertIngestResult } from '../store/alert-ingest-repository.js';
import type { SignalRow } from '../store/signals-repository.js';
import type { AlertWriter } from './alert-writer.js';
import type { DeviceSession } from './device-session.js';
import type { DeviceRateLimiter } from './device-rate-limit.js';
import { duplicates, messages, pubackLatency, rateLimited, storeErrors } from './gateway-metrics.js';
import type { Presence } from './presence.js';
import type { Quarantine } from './quarantine.js';
import type { TelemetryWriter } from './telemetry-writer.js';

/** Told about every alert-class event once it is committed (e.g. to enqueue routing). */
export type AlertListener = (result: AlertIngestResult, signal: SignalRow) => void;

/**
 * parse → validate → persist (DESIGN §2). Resolves when the event is durable (or was
 * quarantined, which is final); rejects when the database failed, so no PUBACK goes out
 * and the device retries.
 */
export class Ingest {
  constructor(private readonly deps: {
    writer: TelemetryWriter;
    alerts: AlertWriter;
    presence: Presence;
    quarantine: Quarantine;
    /** Receive time of every message (DESIGN §11). */
    clock: Clock;
    /** Telemetry per device over this rate is PUBACKed and dropped; alert-class events never are. */
    limiter?: DeviceRateLimiter;
    onAlert?: AlertListener;
  }) {}

  /** A payload published on guardian/v1/{own id}/event. */
  async handlePayload(session: DeviceSession, topic: string, payload: Buffer): Promise<void> {
    const parsed = parseEventPayload(payload);
    if (!parsed.ok) {
      this.deps.quarantine.add(session.deviceId, topic, payload, parsed.reason);
      return;
    }
    if (!kindMaySend(session.kind, parsed.event.type)) {
      this.deps.quarantine.add(session.deviceId, topic, payload, `type_not_allowed: ${session.kind} may not send ${parsed.event.type}`);
      return;
    }
    await this.handleEvent(session, parsed.event);
  }

  /** A validated event, from a device or mapped by an adapter. */
  async handleEvent(session: DeviceSession, event: DeviceEvent): Promise<void> {
    const alertClass = ALERT_CLASS_EVENTS.has(event.type);
    if (!alertClass && this.deps.limiter && !this.deps.limiter.admit(session.deviceId)) {
      rateLimited.inc();
      // A late PUBACK, not stored: aedes reads a client's next packets only once this batch is
      // answered, so the flood slows down at its own socket instead of costing the others CPU.
      const wait = this.deps.limiter.waitMs(session.deviceId);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      return;
    }
    const started = performance.now();
    const receivedAt = this.deps.clock.now();
    const row = toSignalRow(session, event, receivedAt);
    this.deps.presence.seen(session.deviceId, event.battery ?? (event.type === 'battery' && typeof event.value === 'number' ? event.value : undefined), event.rssi);
    messages.inc({ type: event.type });
    if (alertClass) {
      let result: AlertIngestResult;
      try {
        result = await this.deps.alerts.write(row);
      } catch (err) {
        storeErrors.inc({ path: 'alert' });
        throw err;
      }
      pubackLatency.observe({ path: 'alert' }, (performance.now() - started) / 1000);
      if (result.outcome === 'duplicate') duplicates.inc();
      else this.deps.onAlert?.(result, row);
      return;
    }
    await this.deps.writer.write(row);
    pubackLatency.observe({ path: 'telemetry' }, (performance.now() - started) / 1000);
  }
}

export function toSignalRow(session: DeviceSession, event: DeviceEvent, receivedAt: Date): SignalRow {
  return {
    deviceId: session.deviceId,
    householdId: session.householdId,
    eventId: event.id,
    type: event.type,
    ts: effectiveEventTime(event.ts, receivedAt),
    deviceTs: event.ts,
    receivedAt,
    value: event.value ?? null,
    battery: event.battery ?? null,
    rssi: event.rssi ?? null,
    confidence: event.confidence ?? null,
    room: event.room ?? session.room,
    // "motion: false" (occupancy cleared) is not a sign of life.
    activity: ACTIVITY_EVENTS.has(event.type) && event.value !== false,
  };
}
