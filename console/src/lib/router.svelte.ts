/**
 * A tiny history router (no SvelteKit): the API serves index.html for deep links, so
 * `/households/h-1` works on reload. Links are plain <a href>; clicks on same-origin links are
 * intercepted in App.svelte and turned into `navigate()`.
 */
export interface Route { name: string; params: Record<string, string> }

const ROUTES: { name: string; pattern: RegExp; keys: string[] }[] = [
  { name: 'dispatch', pattern: /^\/$/, keys: [] },
  { name: 'household', pattern: /^\/households\/([^/]+)$/, keys: ['id'] },
  { name: 'alert', pattern: /^\/alerts\/([^/]+)$/, keys: ['id'] },
  { name: 'phone', pattern: /^\/m\/?$/, keys: [] },
  { name: 'admin', pattern: /^\/admin(?:\/([a-z]+))?\/?$/, keys: ['tab'] },
  { name: 'reports', pattern: /^\/reports\/?$/, keys: [] },
  // Issue 17: the street office's overview and the alerts history.
  { name: 'street', pattern: /^\/street\/?$/, keys: [] },
  { name: 'history', pattern: /^\/history\/?$/, keys: [] },
];

export function match(path: string): Route {
  for (const r of ROUTES) {
    const m = r.pattern.exec(path);
    if (m) {
      const params: Record<string, string> = {};
      r.keys.forEach((k, i) => { if (m[i + 1] !== undefined) params[k] = decodeURIComponent(m[i + 1]!); });
      return { name: r.name, params };
    }
  }
  return { name: 'not_found', params: {} };
}

export class Router {
  path = $state(typeof location === 'undefined' ? '/' : location.pathname);
  query = $state(typeof location === 'undefined' ? '' : location.search);
  route = $derived(match(this.path));

  constructor() {
    if (typeof window !== 'undefined') {
      window.addEventListener('popstate', () => { this.path = location.pathname; this.query = location.search; });
    }
  }

  navigate(href: string, replace = false): void {
    const u = new URL(href, location.origin);
    if (u.pathname === this.path && u.search === this.query) return;
    if (replace) history.replaceState(null, '', u.pathname + u.search);
    else history.pushState(null, '', u.pathname + u.search);
    this.path = u.pathname;
    this.query = u.search;
    window.scrollTo(0, 0);
  }
}

export const router = new Router();
