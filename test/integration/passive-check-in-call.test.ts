import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, inject, test } from 'vitest';
import { CHECK_IN_ANSWERED_NOTE } from '../../api/services/channel-callbacks-service.js';
import { providerNotifiers } from '../../dispatcher/channel-parts.js';
import { CHECK_IN_VOICE_NOTE } from '../../dispatcher/passive/check-in-rule.js';
import { ChannelConfigSource } from '../../dispatcher/notifiers/channel-config.js';
import { PassiveRules } from '../../dispatcher/passive/passive-rules.js';
import { VoiceResidentCaller } from '../../dispatcher/passive/resident-caller.js';
import { DAY_GRACE_S } from '../../domain/check-in-stages.js';
import { startLearnedCheck } from '../../store/passive-learned-repository.js';
import { buildTestApp, loginAs, type TestLogin } from '../helpers/api.js';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.js';
import { startPassiveRules, type PassiveHarness } from '../helpers/passive-harness.js';
import { addHousehold, seedDispatchCommunity, type Community } from '../helpers/dispatcher-fixtures.js';
import { ALIYUN, startFakeProviders, type FakeProviders } from '../helpers/fake-providers.js';

/**
 * The staged check-in's call to the resident's phone (issue 19 item 4), against real PostgreSQL
 * and redis-server, the passive rules on an injected clock, the voice channel pointed at a local
 * fake Alibaba Cloud (it checks the ACS3 signature), and the provider's VoiceReport coming back
 * through the public callback route: chime → voice → call → alert, an answered call standing the
 * check down, and the stage skipped (and said) when there is no phone on file.
 */
const filePrefix = `gc-${randomBytes(4).toString('hex')}`;
const TZ = 'Asia/Shanghai';
const config = { GUARDIAN_TZ: TZ, DAY_SHIFT: '08:00-20:00', CHECKIN_GRACE_S: 300, PASSIVE_POLICY: 'learned' as const };
/** 10:00 Shanghai, by day: the day graces apply. */
const T0 = new Date(Date.UTC(2026, 2, 12, 2, 0));
const S = 1000;

let db: TestDb;
let c: Community;
let fake: FakeProviders;
let app: FastifyInstance;
let admin: TestLogin;
let token: string;
const running: PassiveRules[] = [];
let seq = 0;

beforeAll(async () => {
  db = await createTestDb();
  c = await seedDispatchCommunity(db);
  fake = await startFakeProviders();
  app = await buildTestApp(db);
  admin = await loginAs(app, db, 'admin');
  const put = await app.inject({
    method: 'PUT', url: '/api/v1/channels/aliyun_voice', headers: admin.bearer,
    payload: { scope: '*', values: { endpoint: `127.0.0.1:${fake.port}`, protocol: 'http', accessKeyId: ALIYUN.accessKeyId, accessKeySecret: ALIYUN.accessKeySecret, ttsCode: 'TTS_000001' } },
  });
  expect(put.statusCode).toBe(200);
  const t = await app.inject({ method: 'POST', url: '/api/v1/channels/callback-tokens/aliyun', headers: admin.bearer });
  token = t.json().token;
});
afterEach(async () => { for (const r of running.splice(0)) await r.stop(); });
afterAll(async () => { await app?.close(); await fake?.close(); await db?.drop(); });

async function startRules(now: Date): Promise<PassiveHarness> {
  const caller = new VoiceResidentCaller({ pool: db.pool, notifiers: providerNotifiers(db.pool, new ChannelConfigSource(db.pool, 0)) });
  return startPassiveRules(now, { pool: db.pool, config, queuePrefix: `${filePrefix}-${++seq}`, caller }, running);
}

/** A quiet home (last active 09:00) with a staged check started at T0, as the learned silence rule does. */
async function quietHomeWithCheck(phone: { home?: string | null; resident?: string | null }): Promise<string> {
  const id = await addHousehold(db, c, 100 + ++seq);
  const quietSince = new Date(T0.getTime() - 3600 * S);
  await db.pool.query(`UPDATE households SET phone = $2, last_activity_at = $3 WHERE id = $1`, [id, phone.home ?? null, quietSince]);
  await db.pool.query(`INSERT INTO residents (household_id, name, phone) VALUES ($1, '李奶奶', $2)`, [id, phone.resident ?? null]);
  const devices = await startLearnedCheck(db.pool, {
    householdId: id, now: T0, quietSince, reason: 'room_silence', graceS: DAY_GRACE_S, explanation: null, note: 'check-in sent (test)',
  });
  expect(devices).not.toBeNull();
  return id;
}

const checkOf = async (id: string) => (await db.pool.query(`SELECT * FROM inactivity_checks WHERE household_id = $1`, [id])).rows[0];
const inactivityAlerts = async (id: string) => (await db.pool.query(`SELECT id FROM alerts WHERE household_id = $1 AND kind = 'inactivity'`, [id])).rows;
const notes = async (id: string) => (await db.pool.query<{ note: string }>(`SELECT note FROM visits WHERE household_id = $1 ORDER BY id`, [id])).rows.map((r) => r.note);
const callRow = async (id: string) => (await db.pool.query(
  `SELECT n.* FROM notifications n WHERE n.round = $1 AND n.purpose = 'check_in'`, [`check_in:${id}`])).rows[0];
const afterStage = (n: number) => new Date(T0.getTime() + DAY_GRACE_S.slice(0, n).reduce((a, b) => a + b, 0) * S + n * S);

describe.sequential('check-in call to the resident (issue 19 item 4)', () => {
  test('no answer to chime and voice: the resident\'s phone is called; a key press stands the check down, no alert', async () => {
    const id = await quietHomeWithCheck({ home: '025-8888 0001', resident: '13900000099' });
    const run = await startRules(T0);
    run.clock.now = afterStage(1);
    await waitFor(async () => (await checkOf(id))?.stage === 2 || null, { what: 'voice stage' });
    expect(fake.hits.filter((h) => h.action === 'SingleCallByTts')).toEqual([]);

    run.clock.now = afterStage(2);
    const call = await waitFor(async () => { const r = await callRow(id); return r?.provider_message_id ? r : null; }, { what: 'check-in call' });
    const hit = fake.hits.find((h) => h.action === 'SingleCallByTts' && h.params.OutId === String(call.id))!;
    expect(hit.signatureOk).toBe(true);
    expect(hit.params.CalledNumber).toBe(call.target);
    expect(call.target).toContain('88880001'); // the home's phone before the resident's
    expect(call).toMatchObject({ alert_id: null, channel: 'aliyun_voice', status: 'sent', provider: 'aliyun' });
    const check = await checkOf(id);
    expect(check).toMatchObject({ stage: 3, stages: 3 });
    expect(check.deadline_at.getTime() - afterStage(2).getTime()).toBe(DAY_GRACE_S[2] * S);
    expect((await notes(id)).slice(1)).toEqual([CHECK_IN_VOICE_NOTE, expect.stringMatching(/^no answer to the spoken check-in: calling the resident at .*0001 via aliyun_voice/)]);

    const r = await app.inject({
      method: 'POST', url: `/api/v1/callbacks/aliyun/${token}/voice-report`,
      payload: [{ status_code: '200000', callee: call.target, duration: '9', b_start_time: '2026-03-12 10:02:40', call_id: call.provider_message_id, status_msg: '用户听完挂断', out_id: String(call.id), dtmf: '1' }],
    });
    expect(r.statusCode).toBe(200);
    expect(await checkOf(id)).toBeUndefined();
    expect((await notes(id)).at(-1)).toBe(`${CHECK_IN_ANSWERED_NOTE} (aliyun call answered)`);
    const audit = (await db.pool.query(`SELECT action FROM audit_log WHERE target = $1`, [id])).rows.map((x) => x.action);
    expect(audit).toContain('check_in.answered');

    run.clock.now = new Date(afterStage(3).getTime() + 60 * S);
    await run.sweeps('check_in', 3);
    expect(await inactivityAlerts(id)).toEqual([]);
  });

  test('the call unanswered: the alert opens after the call\'s grace, with every stage in its timeline', async () => {
    const id = await quietHomeWithCheck({ resident: '13900000098' });
    const run = await startRules(T0);
    run.clock.now = afterStage(1);
    await waitFor(async () => (await checkOf(id))?.stage === 2 || null, { what: 'voice stage' });
    run.clock.now = afterStage(2);
    const call = await waitFor(async () => { const r = await callRow(id); return r?.provider_message_id ? r : null; }, { what: 'check-in call' });
    expect(call.target).toContain('13900000098'); // no home phone: the first resident's
    const r = await app.inject({
      method: 'POST', url: `/api/v1/callbacks/aliyun/${token}/voice-report`,
      payload: [{ status_code: '200005', callee: call.target, duration: '0', call_id: call.provider_message_id, status_msg: '用户未接听', out_id: String(call.id), dtmf: '' }],
    });
    expect(r.statusCode).toBe(200);
    expect(await checkOf(id)).toMatchObject({ stage: 3 });
    expect(await inactivityAlerts(id)).toEqual([]);

    run.clock.now = afterStage(3);
    const [alert] = await waitFor(async () => { const a = await inactivityAlerts(id); return a.length ? a : null; }, { what: 'inactivity alert' });
    const data = (await db.pool.query(`SELECT data FROM alert_events WHERE alert_id = $1 AND type = 'created'`, [alert.id])).rows[0].data;
    expect(data.checkInStages).toBe(3);
    expect(data.checkInTimeline.map((s: { note: string }) => s.note)).toEqual([
      'check-in sent (test)', CHECK_IN_VOICE_NOTE, expect.stringMatching(/^no answer to the spoken check-in: calling the resident/),
    ]);
  });

  test('no phone on file: the call stage is skipped, said on the timeline, and the alert comes at once', async () => {
    const id = await quietHomeWithCheck({});
    const run = await startRules(T0);
    run.clock.now = afterStage(1);
    await waitFor(async () => (await checkOf(id))?.stage === 2 || null, { what: 'voice stage' });
    run.clock.now = afterStage(2);
    const [alert] = await waitFor(async () => { const a = await inactivityAlerts(id); return a.length ? a : null; }, { what: 'inactivity alert' });
    expect(await callRow(id)).toBeUndefined();
    const data = (await db.pool.query(`SELECT data FROM alert_events WHERE alert_id = $1 AND type = 'created'`, [alert.id])).rows[0].data;
    expect(data.checkInTimeline.map((s: { note: string }) => s.note).at(-1)).toBe('no phone on file for the resident: call skipped (未登记老人电话，跳过电话问候)');
  });
});
