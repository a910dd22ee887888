import type { Client, PublishPacket } from 'aedes';
import type pg from 'pg';
import { ALERT_CLASS_EVENTS, kindMaySend } from '../../../domain/device-kinds.js';
import { wallClock, type Clock } from '../../../domain/clock.js';
import { attributeMessage, mapZ2mMessage, z2mEventIdBase, type Z2mState } from '../../../domain/zigbee2mqtt-mapping.js';
import { parseOnlineState, parseZ2mTopic, type Z2mTopic } from '../../../domain/zigbee2mqtt-topic.js';
import type { DeviceCommand } from '../../../domain/topics.js';
import type { DeviceSession } from '../../device-session.js';
import type { Ingest } from '../../ingest.js';
import type { Presence } from '../../presence.js';
import type { Quarantine } from '../../quarantine.js';
import { BridgeTopics } from './bridge-topics.js';
import { ChildAlerts, type SystemAlertListener } from './child-alerts.js';
import { ChildStates } from './child-states.js';
import { HubAck } from './hub-ack.js';
import { tagOrigin } from './hub-acl.js';
import { HubRegistry } from './hub-registry.js';
import { z2mMessages } from './zigbee2mqtt-metrics.js';

/** A device's state message; zigbee2mqtt's are well under 2 KiB, with device information ~3 KiB. */
const MAX_STATE_BYTES = 16 * 1024;

/**
 * A zigbee2mqtt 2.x hub (DESIGN §2 z2m_hub, issue 18): composes the hub's topic ACL
 * (hub-acl.ts), its bridge topics (bridge-topics.ts), the registry of children by IEEE address
 * (hub-registry.ts), their last states (child-states.ts), the state → event mapping
 * (domain/zigbee2mqtt-mapping.ts), availability alerts (child-alerts.ts) and the help-is-coming
 * downlink (hub-ack.ts).
 */
export class Zigbee2MqttAdapter {
  readonly registry: HubRegistry;
  private readonly states: ChildStates;
  private readonly bridge: BridgeTopics;
  private readonly alerts: ChildAlerts;
  private readonly ack: HubAck;
  private readonly clock: Clock;

  constructor(private readonly deps: {
    pool: pg.Pool; ingest: Ingest; presence: Presence; quarantine: Quarantine;
    clock?: Clock; onSystemAlert?: SystemAlertListener; log?: (m: string, e?: unknown) => void;
  }) {
    this.clock = deps.clock ?? wallClock;
    const log = deps.log ?? (() => {});
    this.registry = new HubRegistry(deps.pool, this.clock);
    this.states = new ChildStates(deps.pool);
    this.bridge = new BridgeTopics({ pool: deps.pool, clock: this.clock, presence: deps.presence, quarantine: deps.quarantine, registry: this.registry, log });
    this.alerts = new ChildAlerts({ pool: deps.pool, clock: this.clock, onOpened: deps.onSystemAlert, log });
    this.ack = new HubAck(deps.pool, this.registry);
  }

  /**
   * A PUBLISH from a hub. Resolves false when the topic is not under the hub's base topic (the
   * ACL refuses it); resolves true once everything the message meant is durable; rejects (no
   * PUBACK, zigbee2mqtt resends) when the database failed.
   */
  async publish(client: Client, hub: DeviceSession, packet: PublishPacket): Promise<boolean> {
    const base = await this.registry.baseTopic(hub.deviceId);
    const topic = parseZ2mTopic(packet.topic, base, (name) => this.registry.knows(hub.deviceId, name));
    if (!topic) return false;
    // Retained copies would be delivered to the next hub subscribing to the same base topic;
    // the gateway keeps what it needs in PostgreSQL instead.
    packet.retain = false;
    tagOrigin(packet, client.id);
    this.deps.presence.seen(hub.deviceId);
    // In order, per hub: aedes handles the packets of one read concurrently, and a state on a
    // new friendly name must not overtake the bridge/devices that introduced it (a rename), nor
    // two states of one child compare against the same old state.
    await this.states.serial(hub.deviceId, () => this.handle(hub, topic, packet));
    return true;
  }

  private async handle(hub: DeviceSession, topic: Z2mTopic, packet: PublishPacket): Promise<void> {
    const payload = packet.payload as Buffer;
    switch (topic.kind) {
      case 'command': return;
      case 'bridge':
        z2mMessages.inc({ outcome: 'bridge' });
        return this.bridge.handle(hub, topic.what, packet.topic, payload);
      case 'availability':
        z2mMessages.inc({ outcome: 'availability' });
        return this.availability(hub, topic.friendlyName, payload);
      case 'state':
      case 'attribute': {
        if (payload.length === 0) return; // a cleared retained topic (e.g. after a rename)
        if (payload.length > MAX_STATE_BYTES) {
          this.deps.quarantine.add(hub.deviceId, packet.topic, payload, `too_large: ${payload.length} bytes`);
          return;
        }
        const child = await this.registry.resolve(hub.deviceId, topic.friendlyName);
        if (!child) { z2mMessages.inc({ outcome: 'unregistered' }); return; }
        const message = topic.kind === 'attribute' ? attributeMessage(topic.attribute, payload.toString('utf8')) : parseState(payload);
        if (!message) {
          this.deps.quarantine.add(hub.deviceId, packet.topic, payload, 'not_json_object');
          return;
        }
        const receivedAt = this.clock.now();
        const idBase = z2mEventIdBase(child.deviceId, packet.topic, payload, packet.qos > 0 ? packet.messageId : undefined, receivedAt.getTime());
        return this.state(child, message, idBase, receivedAt);
      }
    }
  }

  /** Help is coming (alert_ack) to the hub's sirens and lights; false for a client that is not a hub. */
  deliver(client: Client, hub: DeviceSession, command: DeviceCommand): Promise<number> {
    return this.ack.deliver(client, hub.deviceId, command);
  }

  /** The hub left: its children's states are re-read from PostgreSQL if it comes back (maybe via another gateway). */
  hubGone(hubId: string): void {
    this.registry.forget(hubId);
    this.states.dropHub(hubId);
  }

  /** Revoked devices (a hub or a child): forget them at once. */
  revoked(deviceIds: readonly string[]): void {
    for (const id of deviceIds) this.registry.dropChild(id);
    this.states.drop(deviceIds);
  }

  private async state(child: DeviceSession, message: Z2mState, idBase: string, receivedAt: Date): Promise<void> {
    const prev = await this.states.get(child.deviceId);
    const mapped = mapZ2mMessage(child.kind, prev, message, idBase, receivedAt);
    // Any message is a sign the device is alive (offline = silent for 3 × heartbeat), not of a person.
    this.deps.presence.seen(child.deviceId, mapped.battery);
    z2mMessages.inc({ outcome: mapped.events.length > 0 ? 'child' : 'unchanged' });
    for (const event of mapped.events) {
      // An emergency is stored whatever kind the operator chose; other readings only where the kind has them.
      if (!ALERT_CLASS_EVENTS.has(event.type) && !kindMaySend(child.kind, event.type)) {
        z2mMessages.inc({ outcome: 'not_for_kind' });
        continue;
      }
      await this.deps.ingest.handleEvent(child, event);
    }
    if (mapped.batteryLowRaised) await this.alerts.batteryLow(child, mapped.battery);
    await this.states.save(child.deviceId, mapped.state, receivedAt, mapped.linkQuality);
  }

  private async availability(hub: DeviceSession, name: string, payload: Buffer): Promise<void> {
    if (payload.length === 0) return; // zigbee2mqtt clears the old name's topic on rename
    const state = parseOnlineState(payload.toString('utf8'));
    if (!state) return void this.deps.quarantine.add(hub.deviceId, `availability of ${name}`, payload, 'bad_availability');
    const child = await this.registry.resolve(hub.deviceId, name);
    if (!child) return;
    if (state === 'online') this.deps.presence.online(child.deviceId);
    else {
      this.deps.presence.offline(child.deviceId);
      await this.alerts.offline(child);
    }
  }
}

function parseState(payload: Buffer): Z2mState | null {
  try {
    const v: unknown = JSON.parse(payload.toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Z2mState : null;
  } catch {
    return null;
  }
}
