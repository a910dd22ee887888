import { ApiError, get, post, setUnauthorizedHandler } from './api';
import type { Role, User } from './types';

/** Who is signed in. `ready` turns true after the first /auth/me answer. */
export class Session {
  user = $state<User | null>(null);
  ready = $state(false);

  constructor() {
    setUnauthorizedHandler(() => { this.user = null; });
  }

  async restore(): Promise<void> {
    try {
      this.user = (await get<{ user: User }>('/auth/me')).user;
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) console.warn('auth/me failed', err);
      this.user = null;
    } finally {
      this.ready = true;
    }
  }

  async login(username: string, password: string): Promise<void> {
    this.user = (await post<{ user: User }>('/auth/login', { username, password })).user;
  }

  async logout(): Promise<void> {
    try { await post('/auth/logout'); } finally { this.user = null; }
  }

  get isDispatch(): boolean { return this.has('operator', 'supervisor', 'admin'); }
  get isAdmin(): boolean { return this.has('admin'); }
  /** The street office (街道): reads every community of its streets, changes nothing. */
  get isStreet(): boolean { return this.has('street'); }
  /** Who reads the street overview and the history: the dispatch room and the street office. */
  get isOversight(): boolean { return this.has('operator', 'supervisor', 'admin', 'street'); }

  has(...roles: Role[]): boolean {
    return !!this.user && roles.includes(this.user.role);
  }
}

export const session = new Session();
