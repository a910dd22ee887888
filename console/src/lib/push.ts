import { get, post } from './api';

/**
 * Web Push for the responder phone (DESIGN §5). The server keeps subscriptions per user
 * (push_subscriptions, migration 003) and sends `{title, body, alertId, url}`; public/sw.js
 * shows them. The endpoints (api/routes/settings-routes.ts):
 *   GET  /api/v1/push/vapid-public-key → { publicKey }  (base64url)
 *   POST /api/v1/push/subscriptions     { endpoint, keys: { p256dh, auth } } → 201
 */
export async function subscribePush(): Promise<'subscribed' | 'unsupported' | 'denied' | 'unavailable'> {
  if (!('serviceWorker' in navigator) || !('PushManager' in window)) return 'unsupported';
  if (Notification.permission !== 'granted') return 'denied';
  let key: string;
  try { key = (await get<{ publicKey: string }>('/push/vapid-public-key')).publicKey; } catch { return 'unavailable'; }
  const reg = await navigator.serviceWorker.ready;
  const sub = (await reg.pushManager.getSubscription())
    ?? await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlToBytes(key) });
  const json = sub.toJSON() as { endpoint: string; keys: { p256dh: string; auth: string } };
  await post('/push/subscriptions', { endpoint: json.endpoint, keys: json.keys });
  return 'subscribed';
}

function base64UrlToBytes(s: string): Uint8Array<ArrayBuffer> {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
