import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Local stand-ins for the providers of issue 16, checking each request as the real service
 * would, from the published docs (not from the SDKs' code):
 * - Alibaba Cloud OpenAPI, signature V3 (ACS3-HMAC-SHA256): canonical request = method, URI,
 *   sorted RFC 3986-encoded query, `name:value\n` of each signed header, the signed header list
 *   and hex SHA-256 of the body; string to sign = algorithm + '\n' + hex SHA-256 of it;
 *   signature = hex HMAC-SHA256(AccessKeySecret, string to sign); x-acs-content-sha256 must
 *   match the body.
 * - Tencent Cloud API 3.0 (TC3-HMAC-SHA256): canonical request = method, '/', query, headers,
 *   signed headers, hex SHA-256 of the payload; scope date/service/tc3_request; key derived as
 *   HMAC(HMAC(HMAC('TC3'+SecretKey, date), service), 'tc3_request'). Reached as an HTTP proxy
 *   (CONNECT), so the SDK keeps the real host `sms.tencentcloudapi.com` in Host and scope.
 * - DingTalk robot: `sign` = base64 HMAC-SHA256(key secret, "timestamp\nsecret"), timestamp ms
 *   within the hour; Feishu bot: `sign` = base64 HMAC-SHA256(key "timestamp\nsecret", ""),
 *   timestamp seconds; WeCom: the `key` in the URL.
 */
export interface ProviderHit {
  provider: 'aliyun' | 'tencent' | 'wecom' | 'dingtalk' | 'feishu';
  action: string;
  /** Form fields (Aliyun) or JSON body (Tencent, robots). */
  params: Record<string, unknown>;
  signatureOk: boolean;
  host: string;
}

export interface FakeProviders {
  port: number;
  hits: ProviderHit[];
  /** Make the next N Aliyun calls answer with an error code. */
  failAliyun(n: number): void;
  close(): Promise<void>;
}

export const ALIYUN = { accessKeyId: 'LTAI-test-key', accessKeySecret: 'aliyun-secret-0123456789' };
export const TENCENT = { secretId: 'AKID-test', secretKey: 'tencent-secret-0123456789' };
export const ROBOT = { dingtalkToken: 'dt-token', dingtalkSecret: 'SECdingtalk0123', feishuHook: 'fs-hook-1', feishuSecret: 'feishu-secret-1', wecomKey: 'wecom-key-1' };

const sha256hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const hmac = (key: Buffer | string, msg: Buffer | string) => createHmac('sha256', key).update(msg).digest();
const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const eq = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

function verifyAliyun(req: IncomingMessage, url: URL, body: Buffer, secret: string): boolean {
  const auth = String(req.headers.authorization ?? '');
  const m = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]+)$/.exec(auth);
  if (!m || m[1] !== ALIYUN.accessKeyId) return false;
  if (req.headers['x-acs-content-sha256'] !== sha256hex(body)) return false;
  const signed = m[2]!.split(';');
  if (!['host', 'x-acs-action', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-version'].every((h) => signed.includes(h))) return false;
  const query = [...url.searchParams.entries()].map(([k, v]) => [rfc3986(k), rfc3986(v)]).sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join('&');
  const headers = signed.map((h) => `${h}:${String(req.headers[h] ?? '').trim()}\n`).join('');
  const canonical = [req.method, url.pathname || '/', query, headers, m[2], sha256hex(body)].join('\n');
  const toSign = `ACS3-HMAC-SHA256\n${sha256hex(canonical)}`;
  return eq(createHmac('sha256', secret).update(toSign).digest('hex'), m[3]!);
}

function verifyTencent(req: IncomingMessage, body: Buffer, secretKey: string, service: string): boolean {
  const auth = String(req.headers.authorization ?? '');
  const m = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([a-z]+)\/tc3_request, SignedHeaders=([^,]+), Signature=([0-9a-f]+)$/.exec(auth);
  if (!m || m[1] !== TENCENT.secretId || m[3] !== service) return false;
  const timestamp = Number(req.headers['x-tc-timestamp']);
  if (!Number.isFinite(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > 300) return false;
  if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== m[2]) return false;
  const signed = m[4]!.split(';');
  const headers = signed.map((h) => `${h}:${String(req.headers[h] ?? '').trim().toLowerCase()}\n`).join('');
  const canonical = ['POST', '/', '', headers, m[4], sha256hex(body)].join('\n');
  const toSign = `TC3-HMAC-SHA256\n${timestamp}\n${m[2]}/${service}/tc3_request\n${sha256hex(canonical)}`;
  const key = hmac(hmac(hmac(`TC3${secretKey}`, m[2]!), service), 'tc3_request');
  return eq(createHmac('sha256', key).update(toSign).digest('hex'), m[5]!);
}

export async function startFakeProviders(): Promise<FakeProviders> {
  const hits: ProviderHit[] = [];
  let aliyunFailures = 0;
  let seq = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const host = String(req.headers.host ?? '');
      const url = new URL(req.url ?? '/', `http://${host}`);
      const json = (status: number, v: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(v)); };
      try {
        if (host.startsWith('sms.tencentcloudapi.com') || host.startsWith('vms.tencentcloudapi.com')) {
          const service = host.split('.')[0]!;
          const params = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
          const action = String(req.headers['x-tc-action']);
          const signatureOk = verifyTencent(req, body, TENCENT.secretKey, service);
          hits.push({ provider: 'tencent', action, params, signatureOk, host });
          if (!signatureOk) return json(200, { Response: { Error: { Code: 'AuthFailure.SignatureFailure', Message: 'bad signature' }, RequestId: 'r' } });
          if (action === 'SendSms') {
            return json(200, { Response: { SendStatusSet: [{ SerialNo: `sn-${++seq}`, PhoneNumber: (params.PhoneNumberSet as string[])[0], Fee: 1, SessionContext: params.SessionContext, Code: 'Ok', Message: 'send success', IsoCode: 'CN' }], RequestId: `req-${seq}` } });
          }
          if (action === 'SendTtsVoice') return json(200, { Response: { SendStatus: { CallId: `vcall-${++seq}`, SessionContext: params.SessionContext }, RequestId: `req-${seq}` } });
          return json(200, { Response: { Error: { Code: 'InvalidAction', Message: action }, RequestId: 'r' } });
        }
        if (url.pathname === '/robot/send') {
          const ts = Number(url.searchParams.get('timestamp'));
          const sign = url.searchParams.get('sign') ?? '';
          const expected = createHmac('sha256', ROBOT.dingtalkSecret).update(`${ts}\n${ROBOT.dingtalkSecret}`).digest('base64');
          const signatureOk = url.searchParams.get('access_token') === ROBOT.dingtalkToken && Math.abs(Date.now() - ts) < 3600_000 && eq(sign, expected);
          hits.push({ provider: 'dingtalk', action: 'send', params: JSON.parse(body.toString('utf8')), signatureOk, host });
          return json(200, signatureOk ? { errcode: 0, errmsg: 'ok' } : { errcode: 310000, errmsg: 'sign not match' });
        }
        if (url.pathname.startsWith('/open-apis/bot/v2/hook/')) {
          const p = JSON.parse(body.toString('utf8')) as { timestamp?: string; sign?: string };
          const ts = Number(p.timestamp);
          const expected = createHmac('sha256', `${ts}\n${ROBOT.feishuSecret}`).update(Buffer.alloc(0)).digest('base64');
          const signatureOk = url.pathname.endsWith(ROBOT.feishuHook) && Math.abs(Date.now() / 1000 - ts) < 3600 && eq(p.sign ?? '', expected);
          hits.push({ provider: 'feishu', action: 'send', params: p, signatureOk, host });
          return json(200, signatureOk ? { code: 0, msg: 'success', data: {} } : { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' });
        }
        if (url.pathname === '/cgi-bin/webhook/send') {
          const signatureOk = url.searchParams.get('key') === ROBOT.wecomKey;
          hits.push({ provider: 'wecom', action: 'send', params: JSON.parse(body.toString('utf8')), signatureOk, host });
          return json(200, signatureOk ? { errcode: 0, errmsg: 'ok' } : { errcode: 93000, errmsg: 'invalid webhook url' });
        }
        // Alibaba Cloud RPC: the parameters travel in the query (the SDK's formData with an empty body).
        const action = String(req.headers['x-acs-action']);
        const form = Object.fromEntries([...url.searchParams.entries(), ...new URLSearchParams(body.toString('utf8')).entries()]);
        const signatureOk = verifyAliyun(req, url, body, ALIYUN.accessKeySecret);
        hits.push({ provider: 'aliyun', action, params: form, signatureOk, host });
        if (!signatureOk) return json(400, { Code: 'IncompleteSignature', Message: 'The request signature does not conform to Aliyun standards.', RequestId: 'r' });
        if (aliyunFailures > 0) { aliyunFailures--; return json(200, { Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: '触发分钟级流控Permits:1', RequestId: 'r' }); }
        if (action === 'SendSms') return json(200, { Code: 'OK', Message: 'OK', BizId: `biz-${++seq}`, RequestId: `req-${seq}` });
        if (action === 'SingleCallByTts') return json(200, { Code: 'OK', Message: 'OK', CallId: `call-${++seq}`, RequestId: `req-${seq}` });
        return json(404, { Code: 'InvalidAction.NotFound', Message: action, RequestId: 'r' });
      } catch (err) {
        json(500, { error: String(err) });
      }
    });
  });
  // Tencent's SDK reaches us as an HTTP proxy: CONNECT, then plain HTTP through the tunnel.
  server.on('connect', (_req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length) socket.unshift(head);
    server.emit('connection', socket);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    hits,
    failAliyun: (n) => { aliyunFailures = n; },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
