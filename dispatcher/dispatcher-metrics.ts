import type { Queue } from 'bullmq';
import client from 'prom-client';

/**
 * Dispatcher metrics in prom-client's default registry, served by the API at /metrics (DESIGN
 * §6: escalation timer lateness, queue depth). Created once per process (prom-client refuses
 * duplicate names), as gateway/gateway-metrics.ts does. Time-to-accept and time-to-on-site are
 * observed by the API, which performs those transitions.
 */
function metric<T>(name: string, make: () => T): T {
  return (client.register.getSingleMetric(name) as T | undefined) ?? make();
}

export const timerLateness = metric('guardian_escalation_timer_lateness_seconds', () => new client.Histogram({
  name: 'guardian_escalation_timer_lateness_seconds',
  help: 'How late a BullMQ timer ran: handler start minus (enqueued at + delay), by timer type',
  labelNames: ['type'] as const, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60] }));

export const notificationsTotal = metric('guardian_notifications_total', () => new client.Counter({
  name: 'guardian_notifications_total', help: 'Notification attempts by channel, purpose and result',
  labelNames: ['channel', 'purpose', 'status'] as const }));

export const escalationsTotal = metric('guardian_escalations_total', () => new client.Counter({
  name: 'guardian_escalations_total', help: 'Alerts escalated by the ack timer, by the level they reached (3 = re-notify everyone)',
  labelNames: ['level'] as const }));

export const routedTotal = metric('guardian_alerts_routed_total', () => new client.Counter({
  name: 'guardian_alerts_routed_total', help: 'Alerts routed, by shift and path (queue or reconciler)',
  labelNames: ['shift', 'path'] as const }));

export const reconcileDuration = metric('guardian_reconcile_duration_seconds', () => new client.Histogram({
  name: 'guardian_reconcile_duration_seconds', help: 'One reconciler pass (route the outbox, re-arm timers)',
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] }));

/** Queues whose depth the gauge reports; the dispatcher registers its own on start. */
const depthSources = new Set<Queue>();

export const queueDepth = metric('guardian_queue_jobs', () => new client.Gauge({
  name: 'guardian_queue_jobs', help: 'BullMQ jobs by queue and state', labelNames: ['queue', 'state'] as const,
  async collect() {
    for (const q of depthSources) {
      const counts = await q.getJobCounts('waiting', 'delayed', 'active', 'failed').catch(() => null);
      if (!counts) continue;
      for (const [state, n] of Object.entries(counts)) this.set({ queue: q.name, state }, n);
    }
  },
}));

export function reportQueueDepth(queue: Queue): () => void {
  depthSources.add(queue);
  return () => { depthSources.delete(queue); };
}
