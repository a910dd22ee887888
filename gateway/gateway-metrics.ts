import client from 'prom-client';

/**
 * Gateway metrics in prom-client's default registry, which the API serves at /metrics
 * (DESIGN §6). Created once per process: prom-client refuses duplicate names.
 */
function metric<T>(name: string, make: () => T): T {
  return (client.register.getSingleMetric(name) as T | undefined) ?? make();
}

export const connections = metric('guardian_mqtt_connections', () => new client.Gauge({
  name: 'guardian_mqtt_connections', help: 'Authenticated MQTT clients connected to this gateway' }));

export const connects = metric('guardian_mqtt_connects_total', () => new client.Counter({
  name: 'guardian_mqtt_connects_total', help: 'CONNECT attempts by result', labelNames: ['result'] as const }));

export const messages = metric('guardian_mqtt_messages_total', () => new client.Counter({
  name: 'guardian_mqtt_messages_total', help: 'Device events accepted, by event type', labelNames: ['type'] as const }));

export const quarantined = metric('guardian_quarantined_total', () => new client.Counter({
  name: 'guardian_quarantined_total', help: 'Bad payloads refused as signals, by reason', labelNames: ['reason'] as const }));

export const aclDenied = metric('guardian_acl_denied_total', () => new client.Counter({
  name: 'guardian_acl_denied_total', help: 'Publishes or subscribes refused by the ACL', labelNames: ['action'] as const }));

export const rateLimited = metric('guardian_rate_limited_total', () => new client.Counter({
  name: 'guardian_rate_limited_total', help: 'Telemetry over the per-device rate limit: PUBACKed, not stored (alerts are never limited)' }));

export const duplicates = metric('guardian_duplicate_events_total', () => new client.Counter({
  name: 'guardian_duplicate_events_total', help: 'Events with a (device, id) seen within 24 h' }));

export const pubackLatency = metric('guardian_puback_latency_seconds', () => new client.Histogram({
  name: 'guardian_puback_latency_seconds', help: 'Receive to PUBACK-ready (durable commit) time, by path',
  labelNames: ['path'] as const, buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] }));

export const storeErrors = metric('guardian_store_errors_total', () => new client.Counter({
  name: 'guardian_store_errors_total', help: 'Database writes that failed (no PUBACK was sent; the device retries)', labelNames: ['path'] as const }));

export const batchSize = metric('guardian_telemetry_batch_rows', () => new client.Histogram({
  name: 'guardian_telemetry_batch_rows', help: 'Rows per telemetry batch write', buckets: [1, 10, 50, 100, 250, 500, 1000, 2000] }));

export const alertBatchSize = metric('guardian_alert_batch_rows', () => new client.Histogram({
  name: 'guardian_alert_batch_rows', help: 'Alert-class events per group-committed transaction', buckets: [1, 2, 5, 10, 25, 50, 100, 200] }));
