import mqtt, { type MqttClient } from 'mqtt';
import type { DeviceCredential } from '../../../domain/device-credentials.js';
import { cmdTopic, eventTopic, statusTopic } from '../../../domain/topics.js';
import type { EventLedger } from './ledger.js';

/**
 * A device that knows two gateway addresses (mqtt.js `servers`: the next one on every
 * reconnect), with a persistent session (clean: false) and QoS 1, recording on which port each
 * CONNACK came and whether the broker still had its session (`session present`).
 */
export class FailoverDevice {
  readonly connacks: Array<{ port: number; sessionPresent: boolean }> = [];
  private client: MqttClient | undefined;
  private n = 0;

  constructor(private readonly credential: DeviceCredential, private readonly ports: number[], private readonly ledger: EventLedger) {}

  get deviceId(): string { return this.credential.deviceId; }
  get connected(): boolean { return !!this.client?.connected; }
  get port(): number | undefined { return this.client?.options.port; }

  connect(timeoutMs = 20_000): Promise<void> {
    const c = this.credential;
    const client = mqtt.connect({
      servers: this.ports.map((port) => ({ host: '127.0.0.1', port })),
      clientId: c.deviceId, username: c.deviceId, password: c.secret, protocolVersion: 4, clean: false,
      keepalive: 30, reconnectPeriod: 300, connectTimeout: 5000, resubscribe: false,
      will: { topic: statusTopic(c.deviceId), payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    this.client = client;
    client.on('error', () => {});
    client.on('connect', (connack) => {
      this.connacks.push({ port: client.options.port!, sessionPresent: connack.sessionPresent });
      if (!connack.sessionPresent) client.subscribe(cmdTopic(c.deviceId), { qos: 1 });
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${c.deviceId}: no CONNACK`)), timeoutMs);
      client.once('connect', () => { clearTimeout(timer); resolve(); });
    });
  }

  sos(): void {
    const id = `fo-${++this.n}`;
    this.ledger.noteSent(this.deviceId, id);
    this.client!.publish(eventTopic(this.deviceId), JSON.stringify({ id, type: 'sos', ts: Date.now() }), { qos: 1 }, (err) => {
      if (!err) this.ledger.noteAcked(this.deviceId, id);
    });
  }

  async stop(): Promise<void> {
    await this.client?.endAsync(true).catch(() => {});
  }
}
