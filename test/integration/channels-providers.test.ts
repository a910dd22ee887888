import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { NotificationSender } from '../../dispatcher/notification-sender.js';
import { providerNotifiers } from '../../dispatcher/channel-parts.js';
import { ChannelConfigSource } from '../../dispatcher/notifiers/channel-config.js';
import type { Recipient } from '../../dispatcher/notifiers/notifier.js';
import { notificationsOfAlert } from '../../store/notifications-repository.js';
import { buildTestApp, createTestUser, loginAs, type TestLogin } from '../helpers/api.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { insertAlert, quietLog, seedDispatchCommunity, type Community } from '../helpers/dispatcher-fixtures.js';
import { ALIYUN, ROBOT, startFakeProviders, TENCENT, type FakeProviders } from '../helpers/fake-providers.js';
import { wallClock } from '../../domain/clock.js';

/**
 * Issue 16 acceptance: every provider channel against a local fake that checks the real request
 * format and signature; delivery receipts and SMS-reply / key-press callbacks through the API;
 * a reply accepts exactly once; a forged callback is refused and audited; the SMS link signs in once.
 */
let db: TestDb;
let c: Community;
let fake: FakeProviders;
let app: FastifyInstance;
let admin: TestLogin;
let tokens: Record<'aliyun' | 'tencent', string>;
let gwPhone: string;
const household = () => ({ unit: '2单元301室', address: '鹿山路1号', buildingName: '1栋', communityId: c.communityId });

beforeAll(async () => {
  db = await createTestDb();
  c = await seedDispatchCommunity(db);
  gwPhone = (await db.pool.query<{ phone: string }>(`SELECT phone FROM responders WHERE id = $1`, [c.r.gw])).rows[0]!.phone;
  await createTestUser(db, 'responder', { responderId: c.r.gw, username: `gw-${c.suffix}` });
  fake = await startFakeProviders();
  app = await buildTestApp(db);
  admin = await loginAs(app, db, 'admin');
});
afterAll(async () => {
  await app?.close();
  await fake?.close();
  await db?.drop();
});

const put = (channel: string, values: Record<string, unknown>, scope = '*') => app.inject({
  method: 'PUT', url: `/api/v1/channels/${channel}`, headers: admin.bearer, payload: { scope, values },
});

async function newAlert(): Promise<{ id: string; kind: 'sos'; severity: 'critical'; householdId: string; firstSignalAt: Date }> {
  await db.pool.query(`UPDATE alerts SET state = 'cancelled', cancel_reason = 'next test', closed_at = now() WHERE household_id = $1 AND closed_at IS NULL`, [c.householdId]);
  const id = await insertAlert(db, c.householdId, 'sos', new Date());
  await db.pool.query(`UPDATE alerts SET state = 'notified', routed_at = now(), level_started_at = now() WHERE id = $1`, [id]);
  return { id, kind: 'sos', severity: 'critical', householdId: c.householdId, firstSignalAt: new Date() };
}

const gw = (): Recipient => ({ kind: 'responder', responderId: c.r.gw, role: 'grid_worker', name: '张网格', phone: gwPhone });
const family: Recipient = { kind: 'family', name: '王小明', relation: '儿子', phone: '+86 139-0000-0001' };

async function page(alert: Awaited<ReturnType<typeof newAlert>>, recipients: Recipient[], round = 'level:0') {
  const configs = new ChannelConfigSource(db.pool, 0);
  const sender = new NotificationSender({ pool: db.pool, notifiers: providerNotifiers(db.pool, configs), clock: wallClock, log: quietLog });
  await sender.deliver({ alert, household: household(), round, purpose: 'page', tier: 0, recipients, title: 't', text: () => 'x' });
  return notificationsOfAlert(db.pool, alert.id);
}

const callback = (provider: string, kind: string, payload: unknown, token = tokens[provider as 'aliyun']) =>
  app.inject({ method: 'POST', url: `/api/v1/callbacks/${provider}/${token}/${kind}`, payload: payload as object });

async function acceptEvents(alertId: string) {
  return (await db.pool.query(`SELECT actor, data FROM alert_events WHERE alert_id = $1 AND to_state = 'accepted'`, [alertId])).rows;
}

describe.sequential('provider channels (issue 16)', () => {
  test('without settings nothing is sent and nothing pretends to be', async () => {
    const alert = await newAlert();
    expect(await page(alert, [gw(), family])).toEqual([]);
    expect(fake.hits).toEqual([]);
  });

  test('admin API stores credentials; secrets are never answered in full; unknown fields are refused', async () => {
    const local = { endpoint: `127.0.0.1:${fake.port}`, protocol: 'http' };
    let r = await put('aliyun_sms', { ...local, accessKeyId: ALIYUN.accessKeyId, accessKeySecret: ALIYUN.accessKeySecret, signName: '鹿山社区', templateCode: 'SMS_000001', templateParams: { kind: '{kind}', place: '{place}', link: '{link}' } });
    expect(r.statusCode).toBe(200);
    expect(r.body).not.toContain(ALIYUN.accessKeySecret);
    expect(r.json().secrets.accessKeySecret).toBe('••••6789');
    // A community's own sign name overrides the global one.
    expect((await put('aliyun_sms', { signName: '鹿山街道' }, c.communityId)).statusCode).toBe(200);
    expect((await put('aliyun_voice', { ...local, accessKeyId: ALIYUN.accessKeyId, accessKeySecret: ALIYUN.accessKeySecret, ttsCode: 'TTS_000001', calledShowNumber: '02512345678' })).statusCode).toBe(200);
    const proxy = { proxy: `http://127.0.0.1:${fake.port}`, protocol: 'http' };
    expect((await put('tencent_sms', { ...proxy, secretId: TENCENT.secretId, secretKey: TENCENT.secretKey, smsSdkAppId: '1400000001', signName: '鹿山社区', templateId: '100001' })).statusCode).toBe(200);
    expect((await put('tencent_voice', { ...proxy, secretId: TENCENT.secretId, secretKey: TENCENT.secretKey, voiceSdkAppId: '1400000002', templateId: '200001' })).statusCode).toBe(200);
    const base = `http://127.0.0.1:${fake.port}`;
    expect((await put('dingtalk', { url: `${base}/robot/send?access_token=${ROBOT.dingtalkToken}`, secret: ROBOT.dingtalkSecret, name: '一网格群', tiers: [1] })).statusCode).toBe(200);
    expect((await put('feishu', { url: `${base}/open-apis/bot/v2/hook/${ROBOT.feishuHook}`, secret: ROBOT.feishuSecret, name: '值班室', tiers: [1, 2] })).statusCode).toBe(200);
    expect((await put('wecom', { url: `${base}/cgi-bin/webhook/send?key=${ROBOT.wecomKey}`, name: '物业群' })).statusCode).toBe(200);
    expect((await put('links', { publicUrl: 'https://guardian.example.com' })).statusCode).toBe(200);

    const bad = await put('aliyun_sms', { accessKeyID: 'typo' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('accessKeyID');
    expect((await put('aliyun_sms', { templateParams: { kind: '{kindd}' } })).json().error.code).toBe('unknown_variable');
    const list = await app.inject({ method: 'GET', url: '/api/v1/channels', headers: admin.bearer });
    for (const secret of [ALIYUN.accessKeySecret, TENCENT.secretKey, ROBOT.dingtalkSecret, ROBOT.feishuSecret, ROBOT.wecomKey, ROBOT.dingtalkToken]) expect(list.body).not.toContain(secret);
    const audit = await db.pool.query(`SELECT data::text FROM audit_log WHERE action = 'channel.set'`);
    expect(audit.rowCount).toBeGreaterThanOrEqual(8);
    for (const row of audit.rows) expect(row.data).not.toContain(ALIYUN.accessKeySecret);
  });

  test('each provider gets its real request format, validly signed; provider ids are kept', async () => {
    fake.hits.length = 0;
    const alert = await newAlert();
    const rows = await page(alert, [gw(), family]);
    const byProvider = (p: string, action: string) => fake.hits.filter((h) => h.provider === p && h.action === action);

    const sms = byProvider('aliyun', 'SendSms');
    expect(sms).toHaveLength(2);
    for (const h of sms) expect(h.signatureOk).toBe(true);
    const toGw = sms.find((h) => h.params.PhoneNumbers === gwPhone)!;
    expect(toGw.params).toMatchObject({ SignName: '鹿山街道', TemplateCode: 'SMS_000001' });
    const tp = JSON.parse(String(toGw.params.TemplateParam)) as Record<string, string>;
    expect(tp.kind).toBe('SOS紧急呼叫');
    expect(tp.place).toBe('1栋 2单元301室');
    expect(tp.link).toMatch(/^https:\/\/guardian\.example\.com\/l\/[\w-]{22}$/);
    expect(sms.find((h) => h.params.PhoneNumbers === '13900000001')).toBeDefined(); // +86 139-… normalised
    expect(JSON.parse(String(sms.find((h) => h.params.PhoneNumbers === '13900000001')!.params.TemplateParam)).link).toBe(''); // family: no account
    const call = byProvider('aliyun', 'SingleCallByTts');
    expect(call).toHaveLength(2);
    expect(call[0]).toMatchObject({ signatureOk: true, params: expect.objectContaining({ TtsCode: 'TTS_000001', CalledShowNumber: '02512345678' }) });

    const tsms = byProvider('tencent', 'SendSms');
    expect(tsms).toHaveLength(2);
    for (const h of tsms) expect(h).toMatchObject({ signatureOk: true, host: 'sms.tencentcloudapi.com' });
    expect(tsms.map((h) => (h.params.PhoneNumberSet as string[])[0]).sort()).toEqual([`+86${gwPhone}`, '+8613900000001'].sort());
    expect(tsms[0]!.params).toMatchObject({ SmsSdkAppId: '1400000001', SignName: '鹿山社区', TemplateId: '100001' });
    expect((tsms[0]!.params.TemplateParamSet as string[])[0]).toBe('SOS紧急呼叫');
    const tvoice = byProvider('tencent', 'SendTtsVoice');
    expect(tvoice).toHaveLength(2);
    expect(tvoice[0]).toMatchObject({ signatureOk: true, host: 'vms.tencentcloudapi.com', params: expect.objectContaining({ VoiceSdkAppid: '1400000002', TemplateId: '200001' }) });

    // Robots: tier 1 page → DingTalk (tiers [1]), Feishu ([1,2]) and WeCom (all), each signed its way.
    for (const p of ['dingtalk', 'feishu', 'wecom']) {
      const hit = fake.hits.filter((h) => h.provider === p);
      expect(hit, p).toHaveLength(1);
      expect(hit[0]!.signatureOk, p).toBe(true);
    }
    expect(JSON.stringify(fake.hits.find((h) => h.provider === 'dingtalk')!.params)).toContain('1栋 2单元301室');

    const sent = rows.filter((r) => r.status === 'sent');
    expect(sent.map((r) => r.channel).sort()).toEqual(['aliyun_sms', 'aliyun_sms', 'aliyun_voice', 'aliyun_voice', 'dingtalk', 'feishu', 'tencent_sms', 'tencent_sms', 'tencent_voice', 'tencent_voice', 'wecom']);
    const ids = await db.pool.query(`SELECT channel, provider, provider_message_id AS id FROM notifications WHERE alert_id = $1 AND channel LIKE '%sms' OR channel LIKE '%voice' AND alert_id = $1`, [alert.id]);
    for (const r of ids.rows) expect(r.id, r.channel).toMatch(/^(biz|call|sn|vcall)-\d+$/);
    // Robot targets name the robot, never its URL (the credential).
    expect(rows.filter((r) => ['dingtalk', 'feishu', 'wecom'].includes(r.channel)).map((r) => r.target).sort()).toEqual(['dingtalk:一网格群', 'feishu:值班室', 'wecom:物业群']);
  });

  test('a provider error is recorded on the attempt, with the provider’s words', async () => {
    const alert = await newAlert();
    fake.failAliyun(1);
    const rows = await page(alert, [family], 'level:2');
    const failed = rows.filter((r) => r.status === 'failed');
    expect(failed).toEqual([expect.objectContaining({ channel: expect.stringMatching(/^aliyun_/), error: expect.stringContaining('isv.BUSINESS_LIMIT_CONTROL') })]);
  });

  test('a wrong access key secret is refused by the fake as the real service would', async () => {
    await put('aliyun_voice', { accessKeySecret: 'not-the-secret-000' });
    const alert = await newAlert();
    const rows = await page(alert, [family], 'level:2');
    expect(rows.find((r) => r.channel === 'aliyun_voice')).toMatchObject({ status: 'failed', error: expect.stringContaining('IncompleteSignature') });
    expect(fake.hits.at(-1)!.signatureOk === false || fake.hits.some((h) => h.action === 'SingleCallByTts' && !h.signatureOk)).toBe(true);
    await put('aliyun_voice', { accessKeySecret: ALIYUN.accessKeySecret });
  });

  test('callback tokens: a forged callback is refused (401) and audited', async () => {
    const a = await app.inject({ method: 'POST', url: '/api/v1/channels/callback-tokens/aliyun', headers: admin.bearer });
    const t = await app.inject({ method: 'POST', url: '/api/v1/channels/callback-tokens/tencent', headers: admin.bearer });
    expect(a.statusCode).toBe(201);
    tokens = { aliyun: a.json().token, tencent: t.json().token };
    expect(a.json().paths).toContain(`/api/v1/callbacks/aliyun/${tokens.aliyun}/sms-up`);
    const forged = await callback('aliyun', 'sms-up', [{ phone_number: gwPhone, content: '1', send_time: '2026-11-24 10:00:00', dest_code: '1', sequence_id: '1' }], 'forged-token-0000000000');
    expect(forged.statusCode).toBe(401);
    const tforged = await callback('tencent', 'sms-reply', { mobile: gwPhone, nationcode: '86', text: '1', sign: 'x', time: 1 }, tokens.aliyun);
    expect(tforged.statusCode).toBe(401);
    const audit = await db.pool.query(`SELECT target, ip, data FROM audit_log WHERE action = 'channel.callback.refused' ORDER BY id`);
    expect(audit.rows.map((r) => r.target)).toEqual(['aliyun/sms-up', 'tencent/sms-reply']);
    // The forged "1" accepted nothing.
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM alert_events WHERE to_state = 'accepted'`)).rows[0].n).toBe(0);
  });

  test('delivery receipts (Aliyun SmsReport, Tencent status) update the attempt', async () => {
    const alert = await newAlert();
    await page(alert, [gw()]);
    const rows = await db.pool.query<{ channel: string; id: string }>(`SELECT channel, provider_message_id AS id FROM notifications WHERE alert_id = $1 AND channel IN ('aliyun_sms', 'tencent_sms', 'aliyun_voice')`, [alert.id]);
    const idOf = (ch: string) => rows.rows.find((r) => r.channel === ch)!.id;
    let r = await callback('aliyun', 'sms-report', [{ phone_number: gwPhone, send_time: '2026-11-24 10:00:00', report_time: '2026-11-24 10:00:05', success: true, err_code: 'DELIVERED', err_msg: '用户接收成功', sms_size: '1', biz_id: idOf('aliyun_sms'), out_id: '1' }]);
    expect(r.json()).toEqual({ code: 0, msg: '接收成功' });
    r = await callback('tencent', 'sms-status', [{ user_receive_time: '2026-11-24 10:00:04', nationcode: '86', mobile: gwPhone, report_status: 'FAIL', errmsg: 'MK:0005', description: '关机', sid: idOf('tencent_sms') }], tokens.tencent);
    expect(r.json()).toEqual({ result: 0, errmsg: 'OK' });
    await callback('aliyun', 'voice-report', [{ status_code: '200005', callee: gwPhone, duration: '0', voice_type: 'voice', originate_time: '2026-11-24 10:00:00', end_time: '2026-11-24 10:00:40', call_id: idOf('aliyun_voice'), status_msg: '用户未接听', out_id: '1', dtmf: '' }]);
    const after = await db.pool.query(`SELECT channel, delivery_status, delivery_error FROM notifications WHERE alert_id = $1 AND delivery_status IS NOT NULL ORDER BY channel`, [alert.id]);
    expect(after.rows).toEqual([
      { channel: 'aliyun_sms', delivery_status: 'delivered', delivery_error: null },
      { channel: 'aliyun_voice', delivery_status: 'unanswered', delivery_error: '200005 用户未接听' },
      { channel: 'tencent_sms', delivery_status: 'failed', delivery_error: 'MK:0005 关机' },
    ]);
    // The alert detail shows them (the channel that errors is shown on the alert itself).
    const op = await loginAs(app, db, 'operator');
    const detail = await app.inject({ method: 'GET', url: `/api/v1/alerts/${alert.id}`, headers: op.bearer });
    expect(detail.statusCode).toBe(200);
  });

  test('an SMS reply "1" accepts the alert exactly once, through the phone’s accept path', async () => {
    const alert = await newAlert();
    await page(alert, [gw()]);
    const reply = [{ phone_number: gwPhone, content: ' 1 ', send_time: '2026-11-24 10:01:00', dest_code: '1234', sequence_id: '99' }];
    // The provider retries a push it thinks failed, and another provider's reply arrives too.
    const results = await Promise.all([
      callback('aliyun', 'sms-up', reply), callback('aliyun', 'sms-up', reply),
      callback('tencent', 'sms-reply', { extend: '', mobile: gwPhone, nationcode: '86', sign: '鹿山社区', text: '1', time: 1764000000 }, tokens.tencent),
    ]);
    for (const r of results) expect(r.statusCode).toBe(200);
    const events = await acceptEvents(alert.id);
    expect(events).toHaveLength(1);
    expect(events[0].data.by).toBe(c.r.gw);
    const state = (await db.pool.query(`SELECT state, accepted_by FROM alerts WHERE id = $1`, [alert.id])).rows[0];
    expect(state).toEqual({ state: 'accepted', accepted_by: c.r.gw });
    const audits = await db.pool.query(`SELECT action FROM audit_log WHERE target = $1 ORDER BY id`, [alert.id]);
    expect(audits.rows.filter((r) => r.action === 'alert.accept')).toHaveLength(1);
    expect(audits.rows.map((r) => r.action)).toContain('channel.reply.accept');
  });

  test('first accept still wins: a late reply is refused and audited', async () => {
    const alert = await newAlert();
    await page(alert, [gw()]);
    const op = await loginAs(app, db, 'operator');
    const taken = await app.inject({ method: 'POST', url: `/api/v1/alerts/${alert.id}/accept`, headers: op.bearer, payload: { responderId: c.r.osDay } });
    expect(taken.statusCode).toBe(200);
    await callback('aliyun', 'sms-up', [{ phone_number: gwPhone, content: '1', send_time: '2026-11-24 10:02:00', dest_code: '1', sequence_id: '100' }]);
    expect((await db.pool.query(`SELECT accepted_by FROM alerts WHERE id = $1`, [alert.id])).rows[0].accepted_by).toBe(c.r.osDay);
    const refused = await db.pool.query(`SELECT data FROM audit_log WHERE target = $1 AND action = 'channel.reply.refused'`, [alert.id]);
    expect(refused.rows[0].data.code).toBe('already_accepted');
  });

  test('pressing 1 in the call accepts (Aliyun VoiceReport dtmf, Tencent voicekey_callback)', async () => {
    for (const provider of ['aliyun', 'tencent'] as const) {
      const alert = await newAlert();
      await page(alert, [gw()]);
      const callId = (await db.pool.query(`SELECT provider_message_id AS id FROM notifications WHERE alert_id = $1 AND channel = $2`, [alert.id, `${provider}_voice`])).rows[0].id;
      const r = provider === 'aliyun'
        ? await callback('aliyun', 'voice-report', [{ status_code: '200000', callee: gwPhone, duration: '12', b_start_time: '2026-11-24 10:00:05', call_id: callId, status_msg: '用户听完挂断', out_id: '1', dtmf: '1' }])
        : await callback('tencent', 'voice', { voicekey_callback: { call_from: '', callid: callId, keypress: '1', mobile: gwPhone, nationcode: '86' } }, tokens.tencent);
      expect(r.statusCode, provider).toBe(200);
      expect(await acceptEvents(alert.id), provider).toHaveLength(1);
    }
  });

  test('the link in the SMS signs the responder in once, on that alert', async () => {
    fake.hits.length = 0;
    const alert = await newAlert();
    await page(alert, [gw()]);
    const link = JSON.parse(String(fake.hits.find((h) => h.action === 'SendSms' && h.provider === 'aliyun')!.params.TemplateParam)).link as string;
    const path = new URL(link).pathname;
    const first = await app.inject({ method: 'GET', url: path });
    expect(first.statusCode).toBe(302);
    expect(first.headers.location).toBe(`/alerts/${alert.id}`);
    const cookie = String(first.headers['set-cookie']);
    expect(cookie).toMatch(/guardian_session=[\w-]+/);
    const me = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: cookie.split(';')[0]! } });
    expect(me.json().user.responderId).toBe(c.r.gw);
    const again = await app.inject({ method: 'GET', url: path });
    expect(again.headers.location).toBe('/?link=expired');
    expect(again.headers['set-cookie']).toBeUndefined();
    // Hashed at rest: the token itself is nowhere in the database.
    const token = path.split('/').pop()!;
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM one_time_links WHERE encode(token_hash, 'escape') LIKE $1`, [`%${token}%`])).rows[0].n).toBe(0);
    expect((await db.pool.query(`SELECT action FROM audit_log WHERE action LIKE 'link.%' ORDER BY id`)).rows.map((r) => r.action)).toEqual(['link.sign_in', 'link.refused']);
  });
});
