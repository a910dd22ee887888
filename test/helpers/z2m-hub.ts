import { connectAsync, type MqttClient } from 'mqtt';
import { publishPacket } from '../chaos/lib/mqtt-bytes.js';
import type { EmulatedZigbeeDevice } from './z2m-converters.js';

/**
 * A client that talks MQTT as zigbee2mqtt 2.x does (lib/mqtt.ts connect/onConnect,
 * lib/extension/bridge.ts, lib/extension/availability.ts): will and retained
 * `<base>/bridge/state`, SUBSCRIBE `<base>/#` right after connecting, retained bridge/info and
 * bridge/devices, device state on `<base>/<name>` (QoS per `device_options.qos`), retained
 * availability. Its Zigbee devices are EmulatedZigbeeDevices (the real converters).
 */
export class Z2mHub {
  readonly received: Array<{ topic: string; payload: string }> = [];
  granted: number[] = [];
  private readonly devices = new Map<string, { dev: EmulatedZigbeeDevice; name: string }>();

  private constructor(readonly client: MqttClient, readonly base: string) {
    client.on('message', (topic, payload) => { this.received.push({ topic, payload: payload.toString() }); });
  }

  static async connect(url: string, hubId: string, secret: string, base = 'zigbee2mqtt'): Promise<Z2mHub> {
    const client = await connectAsync(url, {
      will: { topic: `${base}/bridge/state`, payload: Buffer.from(JSON.stringify({ state: 'offline' })), retain: true, qos: 1 },
      properties: { maximumPacketSize: 1048576 },
      username: hubId, password: secret, clientId: hubId,
      reconnectPeriod: 0, connectTimeout: 5000,
    });
    const hub = new Z2mHub(client, base);
    // onConnect: bridge/state online (retained, QoS 1), then the subscription it cannot live without.
    await client.publishAsync(`${base}/bridge/state`, JSON.stringify({ state: 'online' }), { retain: true, qos: 1 });
    const granted = await client.subscribeAsync(`${base}/#`);
    hub.granted = granted.map((g) => g.qos);
    await client.publishAsync(`${base}/bridge/info`, JSON.stringify({
      version: '2.6.3', commit: 'unknown', coordinator: { ieee_address: '0x00124b0000000001', type: 'zStack3x0' },
      network: { pan_id: 6754, channel: 11 }, log_level: 'info', permit_join: false,
      config: { mqtt: { base_topic: base, server: url, user: hubId }, advanced: { last_seen: 'ISO_8601' } }, config_schema: {},
    }), { retain: true });
    return hub;
  }

  add(dev: EmulatedZigbeeDevice, name: string): void { this.devices.set(dev.spec.ieeeAddr, { dev, name }); }
  rename(dev: EmulatedZigbeeDevice, name: string): void { this.devices.get(dev.spec.ieeeAddr)!.name = name; }
  nameOf(dev: EmulatedZigbeeDevice): string { return this.devices.get(dev.spec.ieeeAddr)!.name; }

  /** bridge/devices: every device with its definition (retained, as zigbee2mqtt does). */
  async publishDevices(): Promise<void> {
    const list = [{ ieee_address: '0x00124b0000000001', type: 'Coordinator', friendly_name: 'Coordinator', supported: true, definition: null }];
    for (const { dev, name } of this.devices.values()) list.push(await dev.bridgeEntry(name) as never);
    await this.client.publishAsync(`${this.base}/bridge/devices`, JSON.stringify(list), { retain: true });
  }

  /** Publishes what zigbee2mqtt publishes for one Zigbee message (QoS 1: device_options.qos: 1). */
  async state(dev: EmulatedZigbeeDevice, payload: Record<string, unknown> | null): Promise<void> {
    if (!payload) throw new Error('the converters produced nothing for this message');
    await this.client.publishAsync(`${this.base}/${this.nameOf(dev)}`, JSON.stringify(payload), { qos: 1 });
  }

  async availability(dev: EmulatedZigbeeDevice, state: 'online' | 'offline'): Promise<void> {
    await this.client.publishAsync(`${this.base}/${this.nameOf(dev)}/availability`, JSON.stringify({ state }), { retain: true, qos: 1 });
  }

  /**
   * A QoS 1 PUBLISH written straight to the socket with a chosen packet id: sending it twice is
   * what a hub does when a PUBACK was lost (mqtt.js resends with the same id).
   */
  rawPublish(topic: string, payload: string, packetId: number): void {
    this.client.stream.write(publishPacket(topic, Buffer.from(payload), 1, packetId));
  }

  end(): void { this.client.end(true); }
}
