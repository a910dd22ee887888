import type { Client } from 'aedes';
import type pg from 'pg';
import { z2mSetTopic } from '../../../domain/zigbee2mqtt-topic.js';
import type { DeviceCommand } from '../../../domain/topics.js';
import { ackTargets } from '../../../store/zigbee2mqtt-repository.js';
import { tagOrigin } from './hub-acl.js';
import type { HubRegistry } from './hub-registry.js';

/**
 * "Help is coming" through a hub (DESIGN §5 device downlink): an `alert_ack` for a z2m hub
 * becomes the configured payload on `<base>/<friendly_name>/set` of each siren or light of the
 * home. Written to the hub's own connection (tagged as its own, so authorizeForward lets it
 * through and no other hub sees it), at QoS 0 as zigbee2mqtt subscribes at QoS 0.
 */
export class HubAck {
  constructor(private readonly pool: pg.Pool, private readonly registry: HubRegistry) {}

  /** Returns how many payloads went out. Other commands mean nothing to zigbee2mqtt. */
  async deliver(client: Client, hubId: string, command: DeviceCommand): Promise<number> {
    if (command.type !== 'alert_ack') return 0;
    const [base, targets] = await Promise.all([this.registry.baseTopic(hubId), ackTargets(this.pool, hubId)]);
    let sent = 0;
    for (const t of targets) {
      const payload = t.ack[command.state];
      if (!payload) continue;
      const packet = { cmd: 'publish' as const, topic: z2mSetTopic(base, t.friendlyName), payload: Buffer.from(JSON.stringify(payload)), qos: 0 as const, retain: false, dup: false };
      tagOrigin(packet, client.id);
      await new Promise<void>((resolve, reject) => client.publish(packet, (err?: Error) => (err ? reject(err) : resolve())));
      sent++;
    }
    return sent;
  }
}
