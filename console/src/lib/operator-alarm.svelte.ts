import { alarm } from './alarm.svelte';
import { t } from './i18n/index.svelte';
import type { LiveStore } from './live.svelte';
import type { Alert } from './types';

/** A critical alert nobody has accepted yet: what the pill counts and the alarm is about. */
export const isWaitingCritical = (a: Alert) => a.severity === 'critical' && (a.state === 'open' || a.state === 'notified');

const RED_ICON = 'data:image/svg+xml,' + encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><circle cx="32" cy="32" r="30" fill="#ff4d4f"/><text x="32" y="44" font-size="36" text-anchor="middle" fill="#fff" font-family="sans-serif" font-weight="700">!</text></svg>');

/**
 * The operator's alarm on every console page (issue 16), not only the dispatch screen: a new
 * critical alert rings (and raises a desktop notification when the tab is in the background);
 * while one waits, the title and the favicon flash and the room is reminded every 60 s; a live
 * connection that stays down for more than 10 s gives a short alarm of its own.
 */
export class OperatorAlarm {
  /** Title/favicon flashing phase; tests read document.title. */
  flashing = $state(false);
  #timers: Array<ReturnType<typeof setInterval>> = [];
  #off: Array<() => void> = [];
  #baseTitle = '';
  #baseIcon: string | null = null;
  #phase = false;
  #downSince: number | null = null;
  #downAlarmed = false;

  start(live: LiveStore): void {
    this.stop();
    void alarm.restore();
    this.#off.push(live.onNewAlert((a) => {
      if (!isWaitingCritical(a)) return;
      alarm.ring();
      this.#desktop(a);
    }));
    this.#timers.push(setInterval(() => this.#flash(live), 1000));
    this.#timers.push(setInterval(() => {
      if (live.status === 'live' && live.alerts.some(isWaitingCritical)) alarm.ring();
    }, 60_000));
    this.#timers.push(setInterval(() => this.#watchConnection(live), 1000));
  }

  stop(): void {
    for (const t of this.#timers.splice(0)) clearInterval(t);
    for (const off of this.#off.splice(0)) off();
    this.#restore();
  }

  #flash(live: LiveStore): void {
    const n = live.alerts.filter(isWaitingCritical).length;
    if (n === 0) { this.#restore(); return; }
    if (!this.flashing) {
      this.#baseTitle = document.title;
      this.#baseIcon = iconLink()?.getAttribute('href') ?? null;
      this.flashing = true;
    } else if (!document.title.startsWith('🔴')) {
      this.#baseTitle = document.title; // the page changed its own title meanwhile
    }
    this.#phase = !this.#phase;
    document.title = this.#phase ? `🔴 ${t('alarm.titleFlash', { n })}` : this.#baseTitle;
    const link = iconLink();
    if (link) link.setAttribute('href', this.#phase ? RED_ICON : (this.#baseIcon ?? '/icon.svg'));
  }

  #restore(): void {
    if (!this.flashing) return;
    this.flashing = false;
    if (document.title.startsWith('🔴')) document.title = this.#baseTitle;
    const link = iconLink();
    if (link && this.#baseIcon) link.setAttribute('href', this.#baseIcon);
  }

  #watchConnection(live: LiveStore): void {
    if (live.status === 'live' || live.status === 'idle') { this.#downSince = null; this.#downAlarmed = false; return; }
    this.#downSince ??= Date.now();
    if (!this.#downAlarmed && Date.now() - this.#downSince > 10_000) {
      this.#downAlarmed = true;
      alarm.short();
    }
  }

  #desktop(a: Alert): void {
    try {
      if (typeof Notification === 'undefined' || Notification.permission !== 'granted' || document.visibilityState === 'visible') return;
      const place = a.household ? `${a.household.buildingName} ${a.household.unit}` : a.householdId;
      const n = new Notification(`${t('app.name')} · ${t(`kind.${a.kind}`)}`, { body: place, tag: `alert-${a.id}`, requireInteraction: true });
      n.onclick = () => { window.focus(); location.assign(`/alerts/${a.id}`); };
    } catch { /* notifications unsupported */ }
  }
}

function iconLink(): HTMLLinkElement | null {
  return document.querySelector('link[rel~="icon"]');
}

export const operatorAlarm = new OperatorAlarm();
