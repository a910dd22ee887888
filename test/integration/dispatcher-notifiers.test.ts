import { createECDH, createPublicKey, randomBytes, verify } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { NotificationSender } from '../../dispatcher/notification-sender.js';
import { InAppNotifier } from '../../dispatcher/notifiers/in-app-notifier.js';
import type { Recipient } from '../../dispatcher/notifiers/notifier.js';
import { WebPushNotifier } from '../../dispatcher/notifiers/web-push-notifier.js';
import { verifyWebhookSignature } from '../../dispatcher/notifiers/webhook-signature.js';
import { WebhookNotifier } from '../../dispatcher/notifiers/webhook-notifier.js';
import { notificationsOfAlert } from '../../store/notifications-repository.js';
import { getSetting, putSetting, type VapidSetting, type WebhookSetting } from '../../store/settings-repository.js';
import { createUser } from '../../store/users-repository.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { insertAlert, quietLog, seedDispatchCommunity, type Community } from '../helpers/dispatcher-fixtures.js';
import { wallClock } from '../../domain/clock.js';

/** The channels of DESIGN §5 against local receivers: signed webhook with retries, Web Push with VAPID. */
let db: TestDb;
let c: Community;
let server: Server;
let base: string;
const hits: Array<{ path: string; headers: IncomingMessage['headers']; body: Buffer }> = [];
let failNext = 0;
let pushStatus = 201;

beforeAll(async () => {
  db = await createTestDb();
  c = await seedDispatchCommunity(db);
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (b: Buffer) => chunks.push(b));
    req.on('end', () => {
      hits.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      if (req.url?.startsWith('/sms') && failNext > 0) { failNext--; res.writeHead(500).end('busy'); return; }
      res.writeHead(req.url?.startsWith('/push') ? pushStatus : 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await db.drop();
});

const household = { unit: '2单元301室', address: '鹿山路1号', buildingName: '1栋' };
async function alertRef() {
  await db.pool.query(`UPDATE alerts SET state = 'cancelled', cancel_reason = 'next test', closed_at = now() WHERE household_id = $1 AND closed_at IS NULL`, [c.householdId]);
  const id = await insertAlert(db, c.householdId, 'sos', new Date());
  return { id, kind: 'sos' as const, severity: 'critical' as const, householdId: c.householdId, firstSignalAt: new Date() };
}
const family: Recipient = { kind: 'family', name: '王小明', relation: '儿子', phone: '13900000001' };

function sender(notifiers: ConstructorParameters<typeof NotificationSender>[0]['notifiers']) {
  return new NotificationSender({ pool: db.pool, notifiers, clock: wallClock, log: quietLog });
}

test('without a webhook, a family contact is recorded as skipped so the operator phones by hand', async () => {
  const alert = await alertRef();
  await sender([new WebhookNotifier({ pool: db.pool })]).deliver({
    alert, household, round: 'level:2', purpose: 'page', tier: 2, recipients: [family], title: 't', text: () => 'x',
  });
  expect(await notificationsOfAlert(db.pool, alert.id)).toEqual([expect.objectContaining({
    channel: 'webhook', target: '13900000001', status: 'skipped', error: 'no webhook configured', attempts: 0 })]);
});

test('webhook: HMAC-SHA256-signed JSON for the SMS gateway, retried after a 500, sent once per row', async () => {
  await putSetting(db.pool, 'webhook', { url: `${base}/sms` });
  const alert = await alertRef();
  failNext = 1;
  hits.length = 0;
  const s = sender([new WebhookNotifier({ pool: db.pool, options: { backoffMs: 50 } })]);
  const delivery = { alert, household, round: 'level:2', purpose: 'page' as const, tier: 2, recipients: [family], title: 't', text: () => '请尽快联系老人' };
  await s.deliver(delivery);
  await s.deliver(delivery); // the same round again (a retried job): nothing more is sent
  const setting = (await getSetting<WebhookSetting>(db.pool, 'webhook'))!;
  expect(setting.secret).toMatch(/^[\w-]{40,}$/); // generated on first use, kept in settings
  expect(hits.map((h) => h.path)).toEqual(['/sms', '/sms']);
  for (const h of hits) {
    expect(verifyWebhookSignature(setting.secret!, h.body, h.headers['x-guardian-signature'] as string)).toBe(true);
    expect(verifyWebhookSignature('wrong secret', h.body, h.headers['x-guardian-signature'] as string)).toBe(false);
  }
  const body = JSON.parse(hits[1]!.body.toString());
  expect(body).toMatchObject({ alertId: alert.id, kind: 'sos', purpose: 'page', text: '请尽快联系老人',
    household: { unit: '2单元301室', address: '鹿山路1号' }, target: { phone: '13900000001', name: '王小明' } });
  expect(hits[1]!.headers['x-guardian-timestamp']).toBe(body.sentAt);
  expect(await notificationsOfAlert(db.pool, alert.id)).toEqual([expect.objectContaining({ channel: 'webhook', status: 'sent', attempts: 2 })]);
  await db.pool.query(`DELETE FROM settings WHERE key = 'webhook'`);
});

/** Verifies `Authorization: vapid t=<JWT>, k=<public key>` (RFC 8292) with the stored public key. */
function verifyVapid(header: string, vapid: VapidSetting, audience: string) {
  const m = /^vapid t=([^,]+), k=(.+)$/.exec(header);
  expect(m).not.toBeNull();
  const [, jwt, k] = m!;
  expect(k).toBe(vapid.publicKey);
  const [h, p, sig] = jwt!.split('.');
  const raw = Buffer.from(k!, 'base64url'); // uncompressed P-256 point
  const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33).toString('base64url') }, format: 'jwk' });
  expect(verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig!, 'base64url'))).toBe(true);
  const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
  expect(claims.aud).toBe(audience);
  expect(claims.sub).toBe(vapid.subject);
  expect(claims.exp * 1000).toBeGreaterThan(Date.now());
}

test('Web Push: VAPID keys generated once and stored; an encrypted push with a valid VAPID header reaches the endpoint; 410 retires the subscription', async () => {
  const push = new WebPushNotifier({ pool: db.pool });
  const vapid = await push.keys();
  expect(await new WebPushNotifier({ pool: db.pool }).keys()).toEqual(vapid);
  const user = await createUser(db.pool, { username: `gw-${c.suffix}`, password: 'password-123', role: 'responder', responderId: c.r.gw });
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  await db.pool.query(`INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth) VALUES ($1, $2, $3, $4)`,
    [user.id, `${base}/push/abc`, ecdh.getPublicKey().toString('base64url'), randomBytes(16).toString('base64url')]);
  const gw: Recipient = { kind: 'responder', responderId: c.r.gw, role: 'grid_worker', name: '张网格', phone: '13800000000' };
  const published: unknown[] = [];
  const s = sender([new InAppNotifier({ pool: db.pool, publish: (e) => published.push(...e) }), push]);

  hits.length = 0;
  const alert = await alertRef();
  await s.deliver({ alert, household, round: 'level:0', purpose: 'page', tier: 0, recipients: [gw], title: '365云守护 · SOS', text: () => '请立即接单' });
  expect(hits).toHaveLength(1);
  const h = hits[0]!;
  expect(h.path).toBe('/push/abc');
  expect(h.headers['content-encoding']).toBe('aes128gcm');
  expect(Number(h.headers.ttl)).toBeGreaterThan(0);
  expect(h.headers.urgency).toBe('high');
  expect(h.body.length).toBeGreaterThan(50);
  verifyVapid(h.headers.authorization as string, vapid, base);
  const rows = await notificationsOfAlert(db.pool, alert.id);
  expect(rows.map((n) => [n.channel, n.status, n.responderId]).sort()).toEqual([['in_app', 'sent', c.r.gw], ['web_push', 'sent', c.r.gw]]);
  expect(published).toEqual([expect.objectContaining({ type: 'responder.notify', data: expect.objectContaining({ responderId: c.r.gw, alertId: alert.id, purpose: 'page' }) })]);

  pushStatus = 410;
  const second = await alertRef();
  await s.deliver({ alert: second, household, round: 'level:0', purpose: 'page', tier: 0, recipients: [gw], title: 't', text: () => 'x' });
  const gone = (await notificationsOfAlert(db.pool, second.id)).find((n) => n.channel === 'web_push');
  expect(gone).toMatchObject({ status: 'failed', error: 'subscription gone (HTTP 410)' });
  expect((await db.pool.query(`SELECT failed_at FROM push_subscriptions WHERE user_id = $1`, [user.id])).rows[0].failed_at).not.toBeNull();
  pushStatus = 201;
});
