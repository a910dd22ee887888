import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { Dispatcher } from '../../dispatcher/dispatcher.js';
import { QUEUES } from '../../domain/queues.js';
import { findAlert } from '../../store/alert-transitions-repository.js';
import { putChannelRow } from '../../store/channel-settings-repository.js';
import { notificationsOfAlert } from '../../store/notifications-repository.js';
import { buildTestApp } from '../helpers/api.js';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.js';
import { clockAt, dispatcherConfig, insertAlert, recordingLog, seedDispatchCommunity, type Community } from '../helpers/dispatcher-fixtures.js';
import { ALIYUN, startFakeProviders, type FakeProviders } from '../helpers/fake-providers.js';
import { useRedisPrefix } from '../../store/redis-namespace.js';

/**
 * Issue 16: the ladder (app now, SMS after N s while nobody accepted — never after an accept) and
 * "nothing fails silently" (a tier without a working channel → banner data, log line and /readyz
 * detail within one reconcile period), with the real dispatcher on real Redis and PostgreSQL.
 */
let db: TestDb;
let c: Community;
let fake: FakeProviders;
let redis: Redis;
let routeQueue: Queue;
const prefix = `ch${Date.now()}`;
// Everything in this file, the API and publishers included, in the dispatcher's/gateway's Redis namespace.
useRedisPrefix(prefix);
const running: Dispatcher[] = [];
const RECONCILE_MS = 1500;

beforeAll(async () => {
  db = await createTestDb();
  c = await seedDispatchCommunity(db);
  fake = await startFakeProviders();
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  routeQueue = new Queue(QUEUES.route, { connection: redis, prefix });
});
afterAll(async () => {
  for (const d of running) await d.stop();
  await routeQueue?.close();
  redis?.disconnect();
  await fake?.close();
  await db?.drop();
});

async function start(iso: string) {
  const { log, lines } = recordingLog();
  const d = new Dispatcher({
    pool: db.pool, redisUrl: inject('redisUrl'), queuePrefix: prefix, log, clock: clockAt(iso),
    config: dispatcherConfig({ ACK_TIMEOUT_S: '600', SLA_WARN_S: '900', SLA_ONSITE_S: '1200' }),
    reconcileIntervalMs: 3_600_000, channels: { healthIntervalMs: RECONCILE_MS },
  });
  await d.start();
  running.push(d);
  return { d, lines };
}

const iso = '2026-05-12T10:00:00+08:00';

test('a tier with no working channel: red banner data, a log line and /readyz detail within one reconcile period', async () => {
  const app = await buildTestApp(db, { config: dispatcherConfig({ RECONCILE_S: '2' }) });
  const { lines } = await start(iso);
  // Family and the community number have phones only, and no phone channel exists.
  const readyz = await waitFor(async () => {
    const r = await app.inject({ method: 'GET', url: '/readyz' });
    const detail = r.json().detail?.channels;
    return detail && detail.problems.some((p: string) => p.includes(`tier 3 of community ${c.communityId}`)) ? detail : null;
  }, { timeoutMs: RECONCILE_MS * 2, what: '/readyz channel detail' });
  expect(readyz.ok).toBe(false);
  expect(lines.some((l) => l.startsWith('warn channel health:') && l.includes(`tier 3 of community ${c.communityId}`))).toBe(true);
  // The banner's source (GET /api/v1/channels/health) says the same to every operator page.
  const { loginAs } = await import('../helpers/api.js');
  const op = await loginAs(app, db, 'operator');
  const health = await app.inject({ method: 'GET', url: '/api/v1/channels/health', headers: op.bearer });
  expect(health.json().problems).toContainEqual(expect.objectContaining({ communityId: c.communityId, communityName: expect.any(String), level: 2, reason: 'no_working_channel' }));

  // Fixing it (an SMS provider) clears it within one period, without a restart.
  await putChannelRow(db.pool, {
    channel: 'aliyun_sms', scope: '*', enabled: true, at: new Date(), by: 'test',
    config: { endpoint: `127.0.0.1:${fake.port}`, protocol: 'http', accessKeyId: ALIYUN.accessKeyId, signName: '鹿山社区', templateCode: 'SMS_1' },
    secrets: { accessKeySecret: ALIYUN.accessKeySecret },
  });
  await redis.publish('guardian:channels-changed', '1');
  await waitFor(async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/channels/health', headers: op.bearer });
    return !r.json().problems.some((p: { communityId: string }) => p.communityId === c.communityId);
  }, { timeoutMs: RECONCILE_MS * 2, what: 'problem cleared' });
  await app.close();
});

test('ladder: in-app at once, SMS after smsAfterS while unaccepted; an accepted alert never gets the SMS', async () => {
  await putChannelRow(db.pool, { channel: 'ladder', scope: '*', enabled: true, at: new Date(), by: 'test', config: { roles: { grid_worker: { smsAfterS: 1, voiceAfterS: null } } }, secrets: {} });
  const { createTestUser } = await import('../helpers/api.js');
  await createTestUser(db, 'responder', { responderId: c.r.gw });
  await redis.publish('guardian:channels-changed', '1');
  await start(iso);
  const route = async () => {
    await db.pool.query(`UPDATE alerts SET state = 'cancelled', cancel_reason = 'next', closed_at = now() WHERE household_id = $1 AND closed_at IS NULL`, [c.householdId]);
    const id = await insertAlert(db, c.householdId, 'sos', clockAt(iso)());
    await routeQueue.add('route', { alertId: id }, { jobId: id });
    await waitFor(async () => (await findAlert(db.pool, id))?.routedAt, { what: 'routed' });
    await waitFor(async () => (await notificationsOfAlert(db.pool, id)).some((n) => n.channel === 'in_app' && n.responderId === c.r.gw), { what: 'in-app page' });
    return id;
  };
  const smsToGw = async (id: string) => (await notificationsOfAlert(db.pool, id)).filter((n) => n.channel === 'aliyun_sms' && n.responderId === c.r.gw);

  const waiting = await route();
  expect(await smsToGw(waiting)).toEqual([]); // not yet: the app goes first
  const sms = await waitFor(async () => { const s = await smsToGw(waiting); return s.length && s[0]!.status !== 'pending' ? s : null; }, { timeoutMs: 15_000, what: 'the SMS step' });
  expect(sms[0]!.status).toBe('sent');

  const accepted = await route();
  await db.pool.query(`UPDATE alerts SET state = 'accepted', accepted_by = $2, accepted_at = now() WHERE id = $1`, [accepted, c.r.gw]);
  // Wait past the step's due time plus a margin measured by the first alert's SMS having fired.
  const third = await route();
  await waitFor(async () => (await smsToGw(third)).length > 0, { timeoutMs: 15_000, what: 'a later alert got its SMS, so the accepted one had its turn' });
  expect(await smsToGw(accepted)).toEqual([]);
});
