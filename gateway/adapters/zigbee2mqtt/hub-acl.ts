import type { AedesOptions, Client } from 'aedes';
import { cmdTopic } from '../../../domain/topics.js';
import { sessionOf } from '../../device-session.js';

/**
 * Keeping a zigbee2mqtt hub to itself (DESIGN §2). zigbee2mqtt subscribes to `<base>/#`, and
 * every hub of every home uses the same default base topic `zigbee2mqtt`, so aedes would deliver
 * one home's messages to every other hub, and let any client drive a hub through
 * `<base>/bridge/request/…` or `<base>/<name>/set`. So each hub publish is tagged with its
 * publisher, and `authorizeForward` delivers to a hub only what it published itself or what the
 * gateway addressed to it (help-is-coming payloads, tagged the same way), and never hands a
 * hub's traffic to anyone else.
 */
type Tagged = { clientId?: string };
type AuthorizeForward = NonNullable<AedesOptions['authorizeForward']>;

/** aedes-packet copies `clientId` into every delivery copy (and mqemitter-redis keeps it). */
export function tagOrigin(packet: object, clientId: string): void {
  (packet as Tagged).clientId = clientId;
}

export function createAuthorizeForward(): AuthorizeForward {
  return (client: Client, packet) => {
    const origin = (packet as Tagged).clientId;
    const session = sessionOf(client);
    if (session?.kind === 'z2m_hub') {
      if (origin === client.id) return packet;
      // Our own downlink on its guardian command topic, should a hub listen there.
      return origin === undefined && packet.topic === cmdTopic(session.deviceId) ? packet : null;
    }
    return origin !== undefined && origin !== client.id ? null : packet;
  };
}
