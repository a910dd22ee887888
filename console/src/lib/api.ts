/**
 * The HTTP client. Cookie sessions (httpOnly `guardian_session`) plus the CSRF header the API
 * demands on cookie-authenticated changes (api/plugins/auth-plugin.ts).
 */
export class ApiError extends Error {
  /** `params` are the error's facts as data (field, limit, holder…) for lib/errors.ts to word. */
  constructor(readonly status: number, readonly code: string, message: string, readonly params: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
  }
  /** No answer at all (offline, DNS, reset) or the service is down: worth retrying. */
  get retriable(): boolean {
    return this.status === 0 || this.status === 502 || this.status === 503 || this.status === 504;
  }
}

export const API = '/api/v1';

/** Called on any 401 so the app can show the login screen. */
let onUnauthorized: (() => void) | null = null;
export function setUnauthorizedHandler(fn: () => void): void { onUnauthorized = fn; }

export async function api<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-requested-with'] = 'guardian';
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(API + path, {
      method, headers, credentials: 'same-origin', signal: init.signal,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'network', (err as Error).message || 'network error');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* a proxy's HTML error page */ }
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; params?: Record<string, unknown> } } | null)?.error;
    if (res.status === 401 && !path.startsWith('/auth/login')) onUnauthorized?.();
    throw new ApiError(res.status, e?.code ?? `http_${res.status}`, e?.message ?? res.statusText, e?.params ?? {});
  }
  return json as T;
}

export const get = <T>(path: string, signal?: AbortSignal) => api<T>(path, { signal });
export const post = <T>(path: string, body?: unknown) => api<T>(path, { method: 'POST', body: body ?? {} });
export const patch = <T>(path: string, body: unknown) => api<T>(path, { method: 'PATCH', body });
export const put = <T>(path: string, body: unknown) => api<T>(path, { method: 'PUT', body });
export const del = <T>(path: string) => api<T>(path, { method: 'DELETE' });

/** `?a=1&b=x` from defined values only. */
export function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

/** Every page of a `{items, total}` list (limit max 1000), e.g. all 5,000 households. */
export async function getAll<T>(path: string, params: Record<string, string | number | undefined> = {}): Promise<T[]> {
  const limit = 1000;
  const first = await get<{ items: T[]; total: number }>(path + qs({ ...params, limit, offset: 0 }));
  const items = [...first.items];
  const rest: Promise<{ items: T[] }>[] = [];
  for (let offset = limit; offset < first.total; offset += limit) rest.push(get(path + qs({ ...params, limit, offset })));
  for (const page of await Promise.all(rest)) items.push(...page.items);
  return items;
}
