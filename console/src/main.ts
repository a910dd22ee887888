import { mount } from 'svelte';
import App from './App.svelte';
import { startBlink } from './lib/blink';
import { dispatchLive } from './lib/stores.svelte';
import './app.css';

const app = mount(App, { target: document.getElementById('app')! });
startBlink();

// Read-only diagnostics for support and the console benchmark: where the live feed stands.
(globalThis as { guardianLive?: () => unknown }).guardianLive = () => ({
  status: dispatchLive.status, lastSeq: dispatchLive.lastSeq, ...dispatchLive.stats,
  alerts: dispatchLive.alerts.length, households: dispatchLive.households.length,
});

// The service worker caches the shell and shows Web Push notifications (public/sw.js).
if ('serviceWorker' in navigator && location.protocol !== 'file:') {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch((err) => console.warn('service worker not registered', err));
  });
}

export default app;
