import type { AlertKind, AlertState, Outcome } from '../domain/alert-kinds.js';

/**
 * The few calls of the HTTP API (DESIGN §6) a simulated responder makes, over fetch with the
 * bearer token from the login response (scripts use bearer tokens; the header
 * `X-Requested-With: guardian` is sent too, harmless with a bearer and required with a cookie).
 */
export interface AlertSummary {
  id: string;
  kind: AlertKind;
  state: AlertState;
  signalCount: number;
  firstSignalAt: string;
  acceptedBy: string | null;
}

/** A refused or failed request; `status` 409 means the alert moved on (e.g. someone else took it). */
export class ResponderApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'ResponderApiError';
  }
}

export type ResponderAction = 'accept' | 'arrive' | 'resolve';

export class ResponderApi {
  private token: string | undefined;

  constructor(private readonly baseUrl: string, private readonly fetchImpl: typeof fetch = fetch) {}

  async login(username: string, password: string): Promise<void> {
    const body = await this.request<{ token: string }>('POST', '/api/v1/auth/login', { username, password }, false);
    if (typeof body.token !== 'string') throw new ResponderApiError(500, 'bad_response', 'login answered without a token');
    this.token = body.token;
  }

  async liveAlerts(): Promise<AlertSummary[]> {
    const page = await this.request<{ items: AlertSummary[] }>('GET', '/api/v1/alerts?state=notified,accepted,on_site&limit=1000');
    return Array.isArray(page.items) ? page.items : [];
  }

  async act(alertId: string, action: ResponderAction, body: { outcome?: Outcome; note?: string } = {}): Promise<void> {
    await this.request('POST', `/api/v1/alerts/${encodeURIComponent(alertId)}/${action}`, body);
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown, auth = true): Promise<T> {
    const headers: Record<string, string> = { 'x-requested-with': 'guardian', accept: 'application/json' };
    if (auth && this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.fetchImpl(new URL(path, this.baseUrl), {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = {};
    }
    if (!res.ok) {
      const err = (json as { error?: { code?: string; message?: string } }).error;
      throw new ResponderApiError(res.status, err?.code ?? String(res.status), err?.message ?? `${method} ${path}: HTTP ${res.status}`);
    }
    return json as T;
  }
}
