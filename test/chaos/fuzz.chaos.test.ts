import { expect, inject, test } from 'vitest';
import { recordRow } from './lib/report.js';
import { scaled } from './lib/scale.js';
import { httpRow, runFuzzHttp, type FuzzHttpResult } from './scenarios/fuzz-http.js';
import { runFuzzMqtt } from './scenarios/fuzz-mqtt.js';

test('5 fuzz: ≥ 100,000 mutated payloads and malformed packets keep the broker up with bounded memory; every route answers invalid input with a 4xx, never a 500 or a hang', async () => {
  let http: FuzzHttpResult | undefined;
  let httpSeconds = 0;
  const row = await runFuzzMqtt({ payloads: scaled(80_000, 2000), malformedSockets: scaled(2000, 100), fuzzDevices: 8, canarySos: scaled(500, 50), seed: 7 },
    (m) => process.stdout.write(`  ${m}\n`),
    async (_infra, service) => {
      const t0 = Date.now();
      http = await runFuzzHttp(service, { runsPerOperation: scaled(40, 5), seed: 11, timeoutMs: 10_000 });
      httpSeconds = Math.round((Date.now() - t0) / 1000);
    });
  await recordRow(inject('chaosRowsFile'), row);
  await recordRow(inject('chaosRowsFile'), httpRow(http!, httpSeconds));
  expect(row.sent).toBeGreaterThanOrEqual(scaled(100_000, 2000));
  expect(row.alive).toBe(true);
  // Bad input on a device's own topic is quarantined and PUBACKed; the connection stays up.
  expect(row.payloadsAcked).toBe(row.payloadsSent);
  expect(row.closedByBroker).toBe(0);
  expect(row.canaryAcked).toBe(row.canarySent);
  expect(row.canaryLost).toBe(0);
  expect(row.duplicates).toBe(0);
  // Bounded: the fuzz may warm caches, not grow without limit.
  expect(row.rssMaxMb).toBeLessThan(row.rssStartMb + 300);
  expect(http!.fiveHundreds).toEqual([]);
  expect(http!.hangs).toEqual([]);
  expect(http!.by['2xx'] ?? 0).toBeLessThan(http!.requests);
}, 600_000);
