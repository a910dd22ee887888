import fc from 'fast-check';
import type { ChaosRow } from '../lib/report.js';
import { ADMIN_PASSWORD, type ServiceProcess } from '../lib/service-process.js';

interface OpenApiParam { name: string; in: 'path' | 'query' | 'header'; schema?: Record<string, unknown>; required?: boolean }
interface OpenApiOperation { parameters?: OpenApiParam[]; requestBody?: { content?: Record<string, { schema?: Record<string, unknown> }> } }
interface Operation { method: string; path: string; op: OpenApiOperation }

/** WebSocket upgrades are not HTTP routes to fuzz; logout would end the fuzzer's own session. */
const SKIP = [/\/live$/, /\/mqtt$/, /\/auth\/logout$/];

const nasty = fc.oneof(
  fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.constantFrom(
    '', ' ', '0', '-1', '1e309', 'NaN', 'null', 'undefined', 'true', '[]', '{}', '../../../etc/passwd', '%00', '\u0000',
    "' OR 1=1 --", '<script>', 'x'.repeat(3000), '00000000-0000-0000-0000-000000000000', '9'.repeat(40), '🔥'),
  fc.integer().map(String), fc.double().map(String));

/** A value that breaks the property's schema type (or any JSON at all). */
function wrongFor(schema: Record<string, unknown> | undefined): fc.Arbitrary<unknown> {
  const type = schema?.type;
  const other: fc.Arbitrary<unknown>[] = [fc.constant(null), fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 3 }), fc.object({ maxDepth: 2 })];
  if (type !== 'string') other.push(nasty);
  if (type !== 'number' && type !== 'integer') other.push(fc.double(), fc.constant(-1), fc.constant(Number.MAX_SAFE_INTEGER * 10));
  if (type !== 'boolean') other.push(fc.boolean());
  if (type === 'string') other.push(fc.constant('x'.repeat(100_000)), fc.integer());
  return fc.oneof(...other);
}

/** Bodies derived from the request schema: each property broken, required ones missing, extras, or not an object. */
function bodyFor(schema: Record<string, unknown> | undefined): fc.Arbitrary<string> {
  const props = (schema?.properties ?? {}) as Record<string, Record<string, unknown>>;
  const names = Object.keys(props);
  const broken = names.length
    ? fc.record(Object.fromEntries(names.map((n) => [n, fc.option(wrongFor(props[n]), { nil: undefined })])), { requiredKeys: [] })
    : fc.object({ maxDepth: 2 });
  return fc.oneof(
    broken.map((o) => JSON.stringify(o)),
    fc.anything({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
    fc.constantFrom('', '{', '{"a":', 'not json', '[1,2', '\u0000', '{"__proto__":{"admin":true}}', '9'.repeat(5000), '{"a":' + '['.repeat(2000)),
  );
}

interface Req { method: string; url: string; headers: Record<string, string>; body?: string }

function requestFor(op: Operation, auth: Record<string, string>): fc.Arbitrary<Req> {
  const params = op.op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  const bodySchema = op.op.requestBody?.content?.['application/json']?.schema;
  const hasBody = op.method !== 'GET' && op.method !== 'DELETE';
  return fc.record({
    path: fc.tuple(...pathParams.map(() => nasty)).map((values) => {
      let p = op.path;
      pathParams.forEach((param, i) => { p = p.replace(`{${param.name}}`, encodeURIComponent(values[i]! || 'x')); });
      return p;
    }),
    query: fc.array(fc.tuple(fc.constantFrom(...queryParams.map((q) => q.name), 'limit', 'offset', 'x', '__proto__'), nasty), { maxLength: 4 }),
    body: bodyFor(bodySchema),
    contentType: fc.constantFrom('application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1'),
    extra: fc.constantFrom<Record<string, string>>({}, { authorization: 'Bearer ' + 'A'.repeat(600) }, { authorization: 'Basic Og==' },
      { cookie: 'guardian_session=%ff%fe; x=' + 'y'.repeat(1000) }, { 'x-requested-with': 'guardian' }, { accept: 'text/csv' }, { 'accept-language': '*;q=x' }),
  }).map((r) => {
    const qs = new URLSearchParams(r.query).toString();
    const headers: Record<string, string> = { ...auth, ...r.extra };
    if (hasBody) headers['content-type'] = r.contentType;
    return { method: op.method, url: r.path + (qs ? `?${qs}` : ''), headers, body: hasBody ? r.body : undefined };
  });
}

export interface FuzzHttpResult { requests: number; by: Record<string, number>; fiveHundreds: string[]; hangs: string[]; operations: number }

/**
 * Issue 7 item 5 (HTTP): every route of the OpenAPI document (built from the route schemas),
 * anonymous, with an admin bearer token and with a session cookie, with generated invalid
 * path params, query strings, bodies and headers. Any 5xx or a request that takes longer than
 * timeoutMs is a failure, listed with what was sent.
 */
export async function runFuzzHttp(service: ServiceProcess, o: { runsPerOperation: number; seed: number; timeoutMs: number }): Promise<FuzzHttpResult> {
  const base = service.httpUrl;
  const doc = await (await fetch(`${base}/api/docs/json`)).json() as { paths: Record<string, Record<string, OpenApiOperation>> };
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    if (SKIP.some((re) => re.test(path))) continue;
    for (const [method, op] of Object.entries(methods)) if (['get', 'post', 'put', 'patch', 'delete'].includes(method)) ops.push({ method: method.toUpperCase(), path, op });
  }
  const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
  if (login.status !== 200) throw new Error(`admin login failed: ${login.status}`);
  const { token } = await login.json() as { token: string };
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const auths: Array<Record<string, string>> = [{}, { authorization: `Bearer ${token}` }, { cookie }];

  const result: FuzzHttpResult = { requests: 0, by: {}, fiveHundreds: [], hangs: [], operations: ops.length };
  const send = async (r: Req) => {
    result.requests++;
    try {
      const res = await fetch(base + r.url, { method: r.method, headers: r.headers, body: r.body, signal: AbortSignal.timeout(o.timeoutMs) });
      await res.arrayBuffer();
      const cls = `${Math.floor(res.status / 100)}xx`;
      result.by[cls] = (result.by[cls] ?? 0) + 1;
      if (res.status >= 500 && result.fiveHundreds.length < 20) result.fiveHundreds.push(`${res.status} ${r.method} ${r.url.slice(0, 120)} ${String(r.body).slice(0, 120)}`);
    } catch (err) {
      const name = (err as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') { if (result.hangs.length < 20) result.hangs.push(`${r.method} ${r.url.slice(0, 120)}`); }
      else if (result.fiveHundreds.length < 20) result.fiveHundreds.push(`connection error ${(err as Error).message} ${r.method} ${r.url.slice(0, 120)}`);
    }
  };
  let seed = o.seed;
  for (const op of ops) {
    for (const auth of auths) {
      const samples = fc.sample(requestFor(op, auth), { numRuns: o.runsPerOperation, seed: seed++ });
      for (let i = 0; i < samples.length; i += 8) await Promise.all(samples.slice(i, i + 8).map(send));
    }
  }
  return result;
}

export function httpRow(r: FuzzHttpResult, seconds: number): ChaosRow {
  return {
    scenario: '5b fuzz HTTP', faults: `${r.requests} invalid requests over ${r.operations} routes × {anonymous, bearer, cookie}`,
    sent: r.requests, pubacked: 0, stored: 0, routed: 0, duplicates: 0, lost: 0,
    notes: `status classes ${Object.entries(r.by).sort().map(([k, v]) => `${k} ${v}`).join(', ')}; 5xx ${r.fiveHundreds.length}; hangs ${r.hangs.length}`,
    seconds,
  };
}
