import client from 'prom-client';

/** zigbee2mqtt messages by what became of them (served at /metrics with the gateway's). */
export const z2mMessages = (client.register.getSingleMetric('guardian_z2m_messages_total') as client.Counter<'outcome'> | undefined)
  ?? new client.Counter({
    name: 'guardian_z2m_messages_total',
    help: 'zigbee2mqtt messages from hubs, by outcome (child, unchanged, unregistered, bridge, availability, not_for_kind)',
    labelNames: ['outcome'] as const,
  });
