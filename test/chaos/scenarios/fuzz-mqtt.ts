import { connect as tcpConnect, type Socket } from 'node:net';
import { seededRng } from '../../../domain/seeded-random.js';
import { eventTopic } from '../../../domain/topics.js';
import { seedCommunity } from '../lib/community.js';
import { startInfra, type Infra } from '../lib/infra.js';
import { connectPacket, PacketCounter, publishPacket } from '../lib/mqtt-bytes.js';
import { malformedPackets, PayloadMutator } from '../lib/payload-mutator.js';
import type { ChaosRow } from '../lib/report.js';
import { ServiceProcess } from '../lib/service-process.js';
import { SosFleet } from '../lib/sos-fleet.js';
import { checkStore } from '../lib/verify.js';
import { sleep, until } from '../lib/wait.js';

export interface FuzzMqttOptions { payloads: number; malformedSockets: number; fuzzDevices: number; canarySos: number; seed: number }

interface RawSession { socket: Socket; counter: PacketCounter; closed: boolean }

function openRaw(port: number): Promise<RawSession> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1');
    const s: RawSession = { socket, counter: new PacketCounter(), closed: false };
    socket.on('data', (c: Buffer) => { try { s.counter.feed(c); } catch { socket.destroy(); } });
    socket.on('close', () => { s.closed = true; });
    socket.on('error', () => {});
    socket.once('connect', () => resolve(s));
    socket.once('error', reject);
  });
}

/**
 * Issue 7 item 5 (MQTT): ≥ 100,000 inputs as raw TCP bytes — mutated event payloads PUBLISHed
 * at QoS 1 by authenticated devices on their own topic, and malformed MQTT packets on fresh
 * sockets — while a canary device keeps sending real SOS. The broker must stay up, its RSS
 * bounded, every canary SOS PUBACKed and stored, nothing stored twice.
 */
export async function runFuzzMqtt(o: FuzzMqttOptions, log: (m: string) => void = () => {}, keep?: (infra: Infra, service: ServiceProcess) => Promise<void>): Promise<ChaosRow & { rssStartMb: number; rssMaxMb: number; rssEndMb: number; canaryLost: number; alive: boolean; canarySent: number; canaryAcked: number; payloadsSent: number; payloadsAcked: number; closedByBroker: number }> {
  const started = Date.now();
  const infra = await startInfra('fuzz');
  const service = new ServiceProcess({ name: 'fuzz-all', role: 'all', dir: infra.dir, databaseUrl: infra.databaseUrl, redisUrl: infra.redis.url });
  let canary: SosFleet | undefined;
  try {
    const { devices } = await seedCommunity(infra.pool, o.fuzzDevices + 1);
    const [canaryCred, ...fuzzCreds] = devices;
    await service.start();
    canary = new SosFleet(service.mqttUrl, [canaryCred!]);
    await canary.connect();
    const rss = { start: await service.rss(), max: 0 };
    let sampling = true;
    const sampler = (async () => { while (sampling) { rss.max = Math.max(rss.max, await service.rss().catch(() => 0)); await sleep(250); } })();

    // Real SOS from the canary all along the fuzz (20/s).
    const canarySending = canary.send(o.canarySos, 20);
    // Mutated payloads, QoS 1, pipelined in windows; PUBACKs counted from the raw stream.
    const mutator = new PayloadMutator(o.seed);
    let payloadsSent = 0, pubacks = 0, reconnects = 0;
    const perDevice = Math.ceil(o.payloads / fuzzCreds.length);
    const fuzzOne = async (cred: (typeof fuzzCreds)[number]) => {
      let sent = 0, messageId = 0;
      while (sent < perDevice) {
        const s = await openRaw(service.mqttPort);
        s.socket.write(connectPacket(cred.deviceId, cred.deviceId, cred.secret));
        await until(() => s.counter.connackCode !== undefined || s.closed, 10_000, 'CONNACK', 5);
        if (s.counter.connackCode !== 0) throw new Error(`fuzz device refused: CONNACK ${s.counter.connackCode}`);
        while (sent < perDevice && !s.closed) {
          const window = Math.min(200, perDevice - sent);
          const before = s.counter.pubacks;
          const chunks: Buffer[] = [];
          for (let i = 0; i < window; i++) { messageId = (messageId % 65535) + 1; chunks.push(publishPacket(eventTopic(cred.deviceId), mutator.next(), 1, messageId)); }
          s.socket.write(Buffer.concat(chunks));
          sent += window;
          payloadsSent += window;
          await until(() => s.counter.pubacks - before >= window || s.closed, 30_000, 'PUBACKs of a fuzz window', 2);
          pubacks += s.counter.pubacks - before;
        }
        if (s.closed) reconnects++;
        s.socket.destroy();
      }
    };
    await Promise.all(fuzzCreds.map((c) => fuzzOne(c)));
    log(`${payloadsSent} mutated payloads, ${pubacks} PUBACKed, ${reconnects} connections closed by the broker`);
    const why = [...new Set(service.errors.split('\n').filter((l) => /not stored|error/i.test(l)).map((l) => l.replace(/^\S+\s+\w+\s+/, '').replace(/sosbutton-\w+/g, '<device>')))];
    if (why.length) log(`broker warnings: ${why.slice(0, 5).join(' | ')}`);

    // Malformed packets: 10 per fresh socket, a few sockets at a time.
    const rng = seededRng(o.seed + 1);
    const connect = connectPacket(fuzzCreds[0]!.deviceId, fuzzCreds[0]!.deviceId, 'wrong-secret');
    let packets = 0;
    for (let i = 0; i < o.malformedSockets; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, o.malformedSockets - i) }, async () => {
        const s = await openRaw(service.mqttPort).catch(() => null);
        if (!s) return;
        for (const p of malformedPackets(rng, connect)) { if (!s.closed) s.socket.write(p); packets++; }
        await until(() => s.closed, 300, 'broker to close', 10).catch(() => {});
        s.socket.destroy();
      }));
    }
    log(`${packets} malformed packets on ${o.malformedSockets} sockets`);
    await canarySending;
    const c = canary;
    await until(() => c.ledger.acked.size === c.ledger.sent.size, 60_000, 'canary PUBACKs');
    const alive = service.alive && (await service.readyz()) === 200;
    sampling = false;
    await sampler;
    const rssEnd = await service.rss();
    await keep?.(infra, service);

    const canaryCheck = await checkStore(infra.pool, [canaryCred!.deviceId], canary.ledger);
    const fuzzStored = await checkStore(infra.pool, fuzzCreds.map((d) => d.deviceId), canary.ledger);
    const quarantined = (await infra.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM quarantine`)).rows[0]!.n;
    const mb = (b: number) => Math.round(b / 1048576);
    return {
      scenario: '5a fuzz MQTT', faults: `${payloadsSent} mutated payloads + ${packets} malformed packets (raw TCP)`,
      sent: payloadsSent + packets + canary.ledger.sent.size, pubacked: pubacks + canary.ledger.acked.size,
      stored: canaryCheck.stored + fuzzStored.stored, routed: 0,
      duplicates: canaryCheck.duplicates + fuzzStored.duplicates, lost: canaryCheck.lost,
      notes: `broker alive: ${alive ? 'yes' : 'NO'}; mutated payloads PUBACKed ${pubacks}/${payloadsSent}, ${reconnects} device connections closed by the broker; RSS ${mb(rss.start)} → max ${mb(rss.max)} → ${mb(rssEnd)} MB; canary SOS ${canary.ledger.acked.size}/${canary.ledger.sent.size} PUBACKed, ${canaryCheck.stored} stored; ${fuzzStored.stored} fuzz events valid enough to store; ${quarantined} quarantine rows (rate-limited)`,
      seconds: Math.round((Date.now() - started) / 1000),
      rssStartMb: mb(rss.start), rssMaxMb: mb(rss.max), rssEndMb: mb(rssEnd), canaryLost: canaryCheck.lost, alive,
      canarySent: canary.ledger.sent.size, canaryAcked: canary.ledger.acked.size, payloadsSent, payloadsAcked: pubacks, closedByBroker: reconnects,
    };
  } finally {
    await canary?.stop().catch(() => {});
    await service.stop().catch(() => {});
    await infra.close();
  }
}
