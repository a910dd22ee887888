import type { AedesOptions } from 'aedes';
import { cmdTopic, parseDeviceTopic } from '../domain/topics.js';
import { hubMaySubscribe } from '../domain/zigbee2mqtt-topic.js';
import type { Zigbee2MqttAdapter } from './adapters/zigbee2mqtt/zigbee2mqtt-adapter.js';
import { sessionOf } from './device-session.js';
import { aclDenied } from './gateway-metrics.js';
import type { Ingest } from './ingest.js';
import type { Presence } from './presence.js';

type AuthorizePublish = NonNullable<AedesOptions['authorizePublish']>;
type AuthorizeSubscribe = NonNullable<AedesOptions['authorizeSubscribe']>;

const denied = (what: string) => new Error(`not authorized: ${what}`);

/**
 * The device ACL (DESIGN §2) and the hook where ingest happens: aedes sends the PUBACK only
 * after this callback, so calling back after the commit makes "PUBACK ⇒ stored" hold.
 * A refused publish closes the connection (MQTT 3.1.1 has no negative PUBACK) so a
 * misconfigured device notices; bad payloads on its own topic are quarantined and PUBACKed.
 */
export function createAuthorizePublish(deps: { ingest: Ingest; presence: Presence; z2m: Zigbee2MqttAdapter; log: (m: string, e?: unknown) => void }): AuthorizePublish {
  return (client, packet, callback) => {
    const session = sessionOf(client);
    const topic = parseDeviceTopic(packet.topic);
    if (!session) {
      // No live client: a will published by the broker for a session of a dead gateway.
      if (topic?.kind !== 'status') return callback(denied('internal publish'));
      packet.retain = false;
      return callback(null);
    }
    if (topic && topic.deviceId === session.deviceId) {
      if (topic.kind === 'event') {
        packet.retain = false; // events are never retained
        deps.ingest.handlePayload(session, packet.topic, packet.payload as Buffer).then(
          () => corked(client, () => callback(null)),
          (err: unknown) => { deps.log(`event from ${session.deviceId} not stored; no PUBACK, the device will retry`, err); callback(err as Error); });
        return;
      }
      if (topic.kind === 'status') {
        // Status is read by the gateway alone (presence, kept in PostgreSQL): the ACL lets no
        // client subscribe to it, so a retained copy could never be delivered. Keeping one cost
        // memory per device and made every SUBSCRIBE scan all of them (aedes matches each
        // retained topic against the new subscription): O(n²) over a reconnect storm.
        packet.retain = false;
        const state = packet.payload.toString();
        if (state === 'online') deps.presence.online(session.deviceId);
        else if (state === 'offline') deps.presence.offline(session.deviceId);
        else { aclDenied.inc({ action: 'publish' }); return callback(denied('status must be online or offline')); }
        return callback(null);
      }
    } else if (session.kind === 'z2m_hub') {
      // zigbee2mqtt publishes under its base topic only (bridge/*, <name>, <name>/<attr>,
      // <name>/availability); the adapter says whether this topic is under this hub's.
      deps.z2m.publish(client!, session, packet).then(
        (allowed) => {
          if (allowed) return callback(null);
          aclDenied.inc({ action: 'publish' });
          callback(denied(`hub ${session.deviceId} may publish only under its base topic, not ${packet.topic.slice(0, 128)}`));
        },
        (err: unknown) => { deps.log(`zigbee2mqtt message from ${session.deviceId} not stored; no PUBACK`, err); callback(err as Error); });
      return;
    }
    aclDenied.inc({ action: 'publish' });
    callback(denied(`${session.deviceId} may not publish to ${packet.topic.slice(0, 128)}`));
  };
}

/**
 * aedes writes the PUBACK inside the callback. A group commit answers a device's whole in-flight
 * window in one turn, so corking its socket until the turn ends sends those PUBACKs in one write
 * instead of a syscall each (socket writes were the gateway's largest CPU item at 9k msg/s).
 */
function corked(client: Parameters<AuthorizePublish>[0], answer: () => void): void {
  const conn = (client as unknown as { conn?: { cork?: () => void; uncork?: () => void } }).conn;
  if (!conn?.cork || !conn.uncork) return answer();
  conn.cork();
  try {
    answer();
  } finally {
    process.nextTick(() => conn.uncork!());
  }
}

/**
 * A device subscribes only to its own command topic. A zigbee2mqtt hub subscribes to its base
 * topic (`zigbee2mqtt/#` right after CONNECT, lib/mqtt.ts onConnect) and exits when the SUBACK
 * refuses it, so a hub is granted its own base topic and anything below it; authorizeForward
 * (adapters/zigbee2mqtt/hub-acl.ts) then delivers it nothing but its own traffic.
 */
export function createAuthorizeSubscribe(deps: { z2m: Zigbee2MqttAdapter }): AuthorizeSubscribe {
  return (client, subscription, callback) => {
    const session = sessionOf(client);
    if (session && subscription.topic === cmdTopic(session.deviceId)) return callback(null, subscription);
    const refuse = () => {
      aclDenied.inc({ action: 'subscribe' });
      // [MQTT-3.9.3] a null subscription answers SUBACK 0x80 (failure) without dropping the client.
      callback(null, null);
    };
    if (session?.kind !== 'z2m_hub') return refuse();
    deps.z2m.registry.baseTopic(session.deviceId).then(
      (base) => (hubMaySubscribe(subscription.topic, base) ? callback(null, subscription) : refuse()),
      refuse);
  };
}
