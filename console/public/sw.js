/* 365云守护 service worker: caches the app shell (so /m opens on a flaky connection) and
 * shows Web Push notifications (DESIGN §5, VAPID via web-push on the server). The API and the
 * live feed are never cached: stale alert data must never look current. */
const SHELL = 'guardian-shell-v1';
const SHELL_URLS = ['/', '/m', '/manifest.webmanifest', '/icon.svg', '/icon-192.png'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll(SHELL_URLS)).catch(() => {}).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/mqtt') || url.pathname.startsWith('/healthz')) return;
  // Page navigations: network first, the cached shell when offline (the SPA routes itself).
  if (req.mode === 'navigate') {
    event.respondWith(
      fetch(req)
        .then((res) => { const copy = res.clone(); caches.open(SHELL).then((c) => c.put('/', copy)); return res; })
        .catch(() => caches.match(req).then((r) => r || caches.match('/'))),
    );
    return;
  }
  // Hashed build assets never change: cache first, fill on the way.
  if (url.pathname.startsWith('/assets/') || SHELL_URLS.includes(url.pathname)) {
    event.respondWith(
      caches.match(req).then((hit) => hit || fetch(req).then((res) => {
        if (res.ok) { const copy = res.clone(); caches.open(SHELL).then((c) => c.put(req, copy)); }
        return res;
      })),
    );
  }
});

// Web Push: the payload is JSON {title, body|text, alertId, url?}; anything else still rings.
self.addEventListener('push', (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch { data = { body: event.data ? event.data.text() : '' }; }
  const title = data.title || '365云守护 · 新警情';
  const url = data.url || (data.alertId ? `/alerts/${data.alertId}` : '/m');
  event.waitUntil(self.registration.showNotification(title, {
    body: data.body || data.text || '',
    tag: data.alertId ? `alert-${data.alertId}` : 'guardian',
    renotify: true,
    requireInteraction: true,
    vibrate: [400, 150, 400, 150, 800],
    icon: '/icon-192.png',
    badge: '/icon-192.png',
    data: { url },
  }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || '/m';
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((list) => {
      for (const c of list) {
        if ('focus' in c) { c.navigate(url).catch(() => {}); return c.focus(); }
      }
      return self.clients.openWindow(url);
    }),
  );
});
