import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { inject } from 'vitest';
import type { DownlinkMessage } from '../../domain/queues.js';
import { redisNamesInUse } from '../../store/redis-namespace.js';
import { provisionDevice, revokeDevice } from '../../store/devices-repository.js';
import {
  buildTestApp, createHouseholdWithPeople, createResponder, insertAlert, loginAs, notifyResponder, type TestLogin,
} from '../helpers/api.js';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.js';

let db: TestDb;
let app: FastifyInstance;
let redis: Redis;
let op: TestLogin;


const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

beforeAll(async () => {
  db = await createTestDb();
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
  app = await buildTestApp(db, { redis });
  op = await loginAs(app, db, 'operator');

});
afterAll(async () => {
  await app.close();
  redis.disconnect();
  await db.drop();
});

const post = (url: string, who: TestLogin, payload: unknown = {}) =>
  app.inject({ method: 'POST', url, headers: who.bearer, payload: payload as Record<string, unknown> });

/** A responder with a linked login, named for the "taken by" message. */
async function responderLogin(name: string): Promise<{ id: string; login: TestLogin }> {
  const id = await createResponder(db, undefined, { name });
  return { id, login: await loginAs(app, db, 'responder', { responderId: id }) };
}

/** A notified alert in a fresh home (one live alert per home and kind). */
async function notifiedAlert(kind = 'sos', firstSignalMinutesAgo = 3): Promise<{ alertId: string; householdId: string }> {
  const householdId = (await createHouseholdWithPeople(db)).id;
  const alertId = await insertAlert(db, { householdId, kind, state: 'notified', openedAt: minutesAgo(firstSignalMinutesAgo) });
  return { alertId, householdId };
}

describe('accept: first wins', () => {
  test('10 concurrent accepts → exactly one 200 and nine 409 already_accepted naming the winner', async () => {
    const { alertId } = await notifiedAlert();
    const people = await Promise.all(Array.from({ length: 10 }, (_, i) => responderLogin(`接单员${i}`)));
    for (const p of people) await notifyResponder(db, alertId, p.id);

    const results = await Promise.all(people.map((p) => post(`/api/v1/alerts/${alertId}/accept`, p.login)));
    const ok = results.filter((r) => r.statusCode === 200);
    const refused = results.filter((r) => r.statusCode === 409);
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(9);

    const winner = people[results.findIndex((r) => r.statusCode === 200)]!;
    const winnerName = (await db.pool.query(`SELECT name FROM responders WHERE id = $1`, [winner.id])).rows[0].name;
    expect(ok[0]!.json()).toMatchObject({ id: alertId, state: 'accepted', acceptedBy: winner.id });
    for (const r of refused) {
      expect(r.json().error.code).toBe('already_accepted');
      expect(r.json().error.message).toContain(winnerName);
    }
    // One state change in the evidence trail, one audit row.
    const events = await db.pool.query(`SELECT * FROM alert_events WHERE alert_id = $1 AND to_state = 'accepted'`, [alertId]);
    expect(events.rowCount).toBe(1);
    const audit = await db.pool.query(`SELECT * FROM audit_log WHERE target = $1 AND action = 'alert.accept'`, [alertId]);
    expect(audit.rowCount).toBe(1);
  });

  test('the same responder accepting twice (a double tap) is a quiet 200', async () => {
    const { alertId } = await notifiedAlert();
    const me = await responderLogin('双击');
    await notifyResponder(db, alertId, me.id);
    expect((await post(`/api/v1/alerts/${alertId}/accept`, me.login)).statusCode).toBe(200);
    const again = await post(`/api/v1/alerts/${alertId}/accept`, me.login);
    expect(again.statusCode).toBe(200);
    expect(again.json().acceptedBy).toBe(me.id);
    expect((await db.pool.query(`SELECT 1 FROM audit_log WHERE target = $1`, [alertId])).rowCount).toBe(1);
  });
});

describe('the full flow', () => {
  test('accept → arrive → resolve: timeline, audit, notifications seen, live events, metrics', async () => {
    const { alertId } = await notifiedAlert('fall', 4);
    const wang = await responderLogin('王芳');
    const notificationId = await notifyResponder(db, alertId, wang.id, { tier: 0, channel: 'in_app' });
    const other = await responderLogin('李强');
    await notifyResponder(db, alertId, other.id, { tier: 0, channel: 'webhook' });

    const accepted = await post(`/api/v1/alerts/${alertId}/accept`, wang.login);
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({ state: 'accepted', acceptedBy: wang.id });
    const arrived = await post(`/api/v1/alerts/${alertId}/arrive`, wang.login);
    expect(arrived.statusCode).toBe(200);
    expect(arrived.json().state).toBe('on_site');
    const resolved = await post(`/api/v1/alerts/${alertId}/resolve`, wang.login, { outcome: 'assisted', note: '扶起老人，无外伤' });
    expect(resolved.statusCode).toBe(200);
    const body = resolved.json();
    expect(body).toMatchObject({ state: 'resolved', outcome: 'assisted', resolutionNote: '扶起老人，无外伤', acceptedBy: wang.id });

    const transitions = body.timeline.filter((e: { type: string }) => e.type === 'state');
    expect(transitions.map((e: { fromState: string; toState: string }) => `${e.fromState}→${e.toState}`))
      .toEqual(['notified→accepted', 'accepted→on_site', 'on_site→resolved']);
    expect(transitions.every((e: { actor: string; data: { by: string } }) => e.actor === `user:${wang.login.username}` && e.data.by === wang.id)).toBe(true);

    const audit = await db.pool.query(`SELECT action, username, role, data FROM audit_log WHERE target = $1 ORDER BY id`, [alertId]);
    expect(audit.rows.map((r) => r.action)).toEqual(['alert.accept', 'alert.arrive', 'alert.resolve']);
    expect(audit.rows[2]).toMatchObject({ username: wang.login.username, role: 'responder', data: { by: wang.id, outcome: 'assisted', onBehalf: false } });

    // The notification list says who was told, on which channel, in which tier, and who has seen it.
    const detail = (await app.inject({ url: `/api/v1/alerts/${alertId}`, headers: op.bearer })).json();
    const mine = detail.notifications.find((n: { id: number }) => n.id === notificationId);
    expect(mine).toMatchObject({ responderId: wang.id, responderName: '王芳', responderRole: 'grid_worker', tier: 0, channel: 'in_app', purpose: 'page', status: 'sent', seen: true });
    expect(new Date(mine.seenAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(detail.notifications.find((n: { responderId: string }) => n.responderId === other.id)).toMatchObject({ seen: false, seenAt: null });

    // Each action appended an alert.updated live event in its transaction.
    const live = await db.pool.query(`SELECT type, data->>'state' AS state FROM live_events WHERE data->>'id' = $1 ORDER BY seq`, [alertId]);
    expect(live.rows.map((r) => r.state)).toEqual(['accepted', 'on_site', 'resolved']);

    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/guardian_time_to_accept_seconds_count\{severity="critical"\} [1-9]/);
    expect(metrics).toMatch(/guardian_time_to_on_site_seconds_count\{severity="critical"\} [1-9]/);
  });

  test('reading an alert is not seeing it: "已读" is stamped when the phone says the alert is on screen', async () => {
    const { alertId } = await notifiedAlert();
    const me = await responderLogin('看一眼');
    const nid = await notifyResponder(db, alertId, me.id);
    const seenAt = async () => (await db.pool.query(`SELECT seen_at FROM notifications WHERE id = $1`, [nid])).rows[0].seen_at;
    // The phone fetches the alert when the page arrives, before anybody looks at it.
    expect((await app.inject({ url: `/api/v1/alerts/${alertId}`, headers: me.login.bearer })).statusCode).toBe(200);
    expect(await seenAt()).toBeNull();
    const seen = await post(`/api/v1/alerts/${alertId}/seen`, me.login);
    expect(seen.statusCode).toBe(200);
    expect(seen.json()).toEqual({ marked: 1 });
    expect(await seenAt()).toBeInstanceOf(Date);
    expect((await post(`/api/v1/alerts/${alertId}/seen`, me.login)).json()).toEqual({ marked: 0 });
  });

  test('notes, escalate and cancel', async () => {
    const { alertId } = await notifiedAlert('water_leak');
    const note = await post(`/api/v1/alerts/${alertId}/notes`, op, { text: '已电话联系家属' });
    expect(note.statusCode).toBe(200);
    expect(note.json().timeline.at(-1)).toMatchObject({ type: 'note', data: { text: '已电话联系家属', by: `user:${op.username}` } });
    const esc = await post(`/api/v1/alerts/${alertId}/escalate`, op, { reason: '无人响应' });
    expect(esc.statusCode).toBe(200);
    expect(esc.json().level).toBe(1);
    const cancelled = await post(`/api/v1/alerts/${alertId}/cancel`, op, { reason: '误报，住户已确认' });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({ state: 'cancelled', cancelReason: '误报，住户已确认' });
    // Notes are still allowed on a closed alert; other actions are not.
    expect((await post(`/api/v1/alerts/${alertId}/notes`, op, { text: '回访正常' })).statusCode).toBe(200);
    const late = await post(`/api/v1/alerts/${alertId}/accept`, op);
    expect(late.statusCode).toBe(409);
    expect(late.json().error.code).toBe('terminal');
  });
});

describe('acting on behalf', () => {
  test('an operator records an accept for a responder (after a phone call)', async () => {
    const { alertId } = await notifiedAlert();
    const zhao = await createResponder(db, undefined, { name: '赵敏' });
    const res = await post(`/api/v1/alerts/${alertId}/accept`, op, { responderId: zhao });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: 'accepted', acceptedBy: zhao });
    const ev = res.json().timeline.find((e: { toState: string }) => e.toState === 'accepted');
    expect(ev).toMatchObject({ actor: `user:${op.username}`, data: { by: zhao } });
    const audit = (await db.pool.query(`SELECT data FROM audit_log WHERE target = $1 AND action = 'alert.accept'`, [alertId])).rows[0];
    expect(audit.data).toMatchObject({ by: zhao, onBehalf: true });

    // Someone else trying now is told who has it, by name.
    const late = await post(`/api/v1/alerts/${alertId}/accept`, op);
    expect(late.statusCode).toBe(409);
    expect(late.json().error.message).toContain('赵敏');
  });

  test('without responderId the operator is recorded as user:<username>', async () => {
    const { alertId } = await notifiedAlert();
    const res = await post(`/api/v1/alerts/${alertId}/accept`, op);
    expect(res.statusCode).toBe(200);
    expect(res.json().acceptedBy).toBe(`user:${op.username}`);
  });

  test('an unknown responderId is a 400', async () => {
    const { alertId } = await notifiedAlert();
    const res = await post(`/api/v1/alerts/${alertId}/accept`, op, { responderId: 'r-nobody' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'unknown_responder' });
    expect(res.json().error.message).toContain('r-nobody');
  });
});

describe('what a responder may do', () => {
  test('an alert outside a responder\'s scope does not exist for them (404), whatever the action', async () => {
    const { alertId } = await notifiedAlert();
    const stranger = await responderLogin('路人');
    for (const action of ['accept', 'arrive', 'escalate']) {
      const res = await post(`/api/v1/alerts/${alertId}/${action}`, stranger.login);
      expect(res.statusCode, action).toBe(404);
      expect(res.json().error.message).toBe(`no alert ${alertId}`);
    }
    expect((await post(`/api/v1/alerts/${alertId}/notes`, stranger.login, { text: 'x' })).statusCode).toBe(404);
    expect((await post(`/api/v1/alerts/${alertId}/cancel`, stranger.login, { reason: 'x' })).statusCode).toBe(404);
    expect((await db.pool.query(`SELECT state FROM alerts WHERE id = $1`, [alertId])).rows[0].state).toBe('notified');
  });

  test('a paged colleague cannot mark someone else\'s alert on site or resolve it; the holder, a backup and the dispatch room on their behalf can', async () => {
    const { alertId } = await notifiedAlert();
    const holder = await responderLogin('王接单');
    const colleague = await responderLogin('李同事');
    const backup = await responderLogin('赵备援');
    for (const r of [holder, colleague]) await notifyResponder(db, alertId, r.id);
    expect((await post(`/api/v1/alerts/${alertId}/accept`, holder.login)).statusCode).toBe(200);

    // The hole of issue 20: the colleague's arrive stopped the SLA clock while nobody was there.
    const arrive = await post(`/api/v1/alerts/${alertId}/arrive`, colleague.login);
    expect(arrive.statusCode).toBe(403);
    expect(arrive.json().error).toMatchObject({ code: 'not_holder' });
    expect(arrive.json().error.message).toContain('王接单');
    expect((await post(`/api/v1/alerts/${alertId}/resolve`, colleague.login, { outcome: 'assisted' })).json().error.code).toBe('not_holder');
    // Nor may the dispatch room record it for the colleague.
    expect((await post(`/api/v1/alerts/${alertId}/arrive`, op, { responderId: colleague.id })).json().error.code).toBe('not_holder');
    const row = (await db.pool.query(`SELECT state, on_site_at FROM alerts WHERE id = $1`, [alertId])).rows[0];
    expect(row).toEqual({ state: 'accepted', on_site_at: null });

    // A backup sent to the alert may arrive (the first to arrive sets on_site); the holder still holds it.
    await notifyResponder(db, alertId, backup.id, { purpose: 'backup', round: 'backup1' });
    const byBackup = await post(`/api/v1/alerts/${alertId}/arrive`, backup.login);
    expect(byBackup.statusCode).toBe(200);
    expect(byBackup.json()).toMatchObject({ state: 'on_site', acceptedBy: holder.id });
    expect(byBackup.json().timeline.at(-1)).toMatchObject({ type: 'state', toState: 'on_site', data: { by: backup.id } });
    expect((await post(`/api/v1/alerts/${alertId}/resolve`, backup.login, { outcome: 'assisted' })).statusCode).toBe(200);
  });

  test('the dispatch room records an arrival for the holder by default, and must name who arrived when nobody holds it', async () => {
    const { alertId } = await notifiedAlert();
    const holder = await responderLogin('钱持有');
    const none = await post(`/api/v1/alerts/${alertId}/arrive`, op);
    expect(none.statusCode).toBe(403);
    expect(none.json().error.code).toBe('responder_required');
    await notifyResponder(db, alertId, holder.id);
    expect((await post(`/api/v1/alerts/${alertId}/accept`, holder.login)).statusCode).toBe(200);
    const onBehalf = await post(`/api/v1/alerts/${alertId}/arrive`, op);
    expect(onBehalf.statusCode).toBe(200);
    expect(onBehalf.json().timeline.at(-1)).toMatchObject({ toState: 'on_site', actor: `user:${op.username}`, data: { by: holder.id } });
  });

  test('resolve and cancel belong to whoever holds the alert', async () => {
    const { alertId } = await notifiedAlert();
    const holder = await responderLogin('持有人');
    const colleague = await responderLogin('同事');
    await notifyResponder(db, alertId, holder.id);
    await notifyResponder(db, alertId, colleague.id);
    expect((await post(`/api/v1/alerts/${alertId}/accept`, holder.login)).statusCode).toBe(200);
    const res = await post(`/api/v1/alerts/${alertId}/cancel`, colleague.login, { reason: '我来处理' });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatchObject({ code: 'not_holder' });
    expect(res.json().error.message).toContain('持有人');
    // The colleague may still add a note (they were notified).
    expect((await post(`/api/v1/alerts/${alertId}/notes`, colleague.login, { text: '我在楼下' })).statusCode).toBe(200);
  });

  test('a responder may not act for someone else, and an unlinked account may not act', async () => {
    const { alertId } = await notifiedAlert();
    const me = await responderLogin('本人');
    await notifyResponder(db, alertId, me.id);
    const other = await createResponder(db);
    const res = await post(`/api/v1/alerts/${alertId}/accept`, me.login, { responderId: other });
    expect(res.statusCode).toBe(403);
    // An account linked to no responder reaches no home: the alert does not exist for it.
    const unlinked = await loginAs(app, db, 'responder');
    expect((await post(`/api/v1/alerts/${alertId}/accept`, unlinked)).statusCode).toBe(404);
  });
});

describe('bad input and refusals', () => {
  test.each([
    [{ outcome: 'fixed' }, 400, 'body.outcome must be one of: assisted, false_alarm, hospital, no_answer, other'],
    [{}, 400, 'body.outcome is required'],
    [{ outcome: 'assisted', colour: 'red' }, 400, 'unknown field "colour"'],
  ])('resolve %j → %i', async (payload, status, message) => {
    const { alertId } = await notifiedAlert();
    const res = await post(`/api/v1/alerts/${alertId}/resolve`, op, payload);
    expect(res.statusCode).toBe(status);
    expect(res.json().error.message).toContain(message);
  });

  test('state refusals are 409 with the state machine code; payload refusals 400', async () => {
    const { alertId } = await notifiedAlert();
    const notYet = await post(`/api/v1/alerts/${alertId}/resolve`, op, { outcome: 'false_alarm', note: 'x' });
    expect(notYet.statusCode).toBe(409);
    expect(notYet.json().error.code).toBe('invalid_transition');
    await post(`/api/v1/alerts/${alertId}/accept`, op);
    const noVisit = await post(`/api/v1/alerts/${alertId}/resolve`, op, { outcome: 'assisted' });
    expect(noVisit.statusCode).toBe(409);
    expect(noVisit.json().error).toMatchObject({ code: 'arrival_required' });
    expect(noVisit.json().error.message).toContain('record the arrival first');
    const noNote = await post(`/api/v1/alerts/${alertId}/resolve`, op, { outcome: 'false_alarm' });
    expect(noNote.statusCode).toBe(400);
    expect(noNote.json().error.code).toBe('note_required');
    const blankReason = await post(`/api/v1/alerts/${alertId}/cancel`, op, { reason: '   ' });
    expect(blankReason.statusCode).toBe(400);
    expect(blankReason.json().error.code).toBe('reason_required');
  });

  test('unknown alert → 404, malformed id → 400, anonymous → 401', async () => {
    const res = await post(`/api/v1/alerts/${crypto.randomUUID()}/accept`, op);
    expect(res.statusCode).toBe(404);
    expect((await post('/api/v1/alerts/not-a-uuid/accept', op)).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: `/api/v1/alerts/${crypto.randomUUID()}/accept`, payload: {} })).statusCode).toBe(401);
  });
});

describe('device downlink', () => {
  test('accept, arrive and resolve send alert_ack to the home\'s speaker/LED devices on the downlink channel', async () => {
    const { alertId, householdId } = await notifiedAlert();
    const sos = (await provisionDevice(db.pool, { householdId, kind: 'sos_button' })).deviceId;
    const radar = (await provisionDevice(db.pool, { householdId, kind: 'fall_radar' })).deviceId;
    await provisionDevice(db.pool, { householdId, kind: 'pir' });
    const revoked = (await provisionDevice(db.pool, { householdId, kind: 'pull_cord' })).deviceId;
    await revokeDevice(db.pool, revoked);

    const sub = new Redis(inject('redisUrl'));
    const got: DownlinkMessage[] = [];
    sub.on('message', (_c: string, m: string) => {
      const msg = JSON.parse(m) as DownlinkMessage;
      if (msg.command.type === 'alert_ack' && msg.command.alertId === alertId) got.push(msg);
    });
    await sub.subscribe(redisNamesInUse().downlink);
    try {
      expect((await post(`/api/v1/alerts/${alertId}/accept`, op)).statusCode).toBe(200);
      await waitFor(() => got.length === 1, { what: 'alert_ack accepted' });
      expect(new Set(got[0]!.deviceIds)).toEqual(new Set([sos, radar]));
      expect(got[0]!.command).toEqual({ type: 'alert_ack', alertId, state: 'accepted', text: '已有人接单，请稍候' });

      await post(`/api/v1/alerts/${alertId}/arrive`, op);
      await post(`/api/v1/alerts/${alertId}/resolve`, op, { outcome: 'assisted' });
      await waitFor(() => got.length === 3, { what: 'alert_ack on_site and resolved' });
      expect(got.map((m) => m.command.type === 'alert_ack' && m.command.state)).toEqual(['accepted', 'on_site', 'resolved']);
      expect(got.map((m) => m.command.type === 'alert_ack' && m.command.text)).toEqual(['已有人接单，请稍候', '工作人员已到达', '已处理']);

      // Every downlink attempt is a notifications row (DESIGN §5), shown on the alert.
      const logged = await db.pool.query(`SELECT round, target, status, purpose FROM notifications WHERE alert_id = $1 AND channel = 'device' ORDER BY round, target`, [alertId]);
      expect(logged.rows).toEqual(['ack:accepted', 'ack:on_site', 'ack:resolved'].flatMap((round) =>
        [radar, sos].sort().map((target) => ({ round, target, status: 'sent', purpose: 'ack' }))));
    } finally {
      sub.disconnect();
    }
  });
});

