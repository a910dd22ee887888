import type { Scope } from '../domain/access-scope.js';
import type { UserRole } from '../store/users-repository.js';

/**
 * Route-level access declarations. Every route says either `public: true` or which roles may
 * call it (`roles: [...]`); the auth plugin refuses to start when a route says neither, so a
 * forgotten declaration can never become an open door.
 */
export interface RouteAccess {
  public?: boolean;
  roles?: readonly UserRole[];
  /**
   * Also accept the session token as `?token=` (the live WebSocket only: a browser cannot set
   * headers on a WebSocket, and a page served from elsewhere has no cookie). Logged URLs have
   * it redacted.
   */
  tokenInQuery?: boolean;
}

/** The signed-in person, as the API sees them on `request.user`. */
export interface AuthUser {
  id: number;
  username: string;
  role: UserRole;
  responderId: string | null;
  displayName: string | null;
  /** What this person reaches (domain/access-scope.ts), resolved with the session on every request. */
  scope: Scope;
}

/** Everyone signed in: for reads (what each one sees is then narrowed by their scope). */
export const ALL_ROLES: readonly UserRole[] = ['admin', 'operator', 'supervisor', 'responder', 'street'];
/** Everyone who may act (accept, record a visit…): all but the read-only street office. */
export const ACTING_ROLES: readonly UserRole[] = ['admin', 'operator', 'supervisor', 'responder'];
/** The dispatch room: they manage their communities. */
export const DISPATCH_ROLES: readonly UserRole[] = ['operator', 'supervisor', 'admin'];
/** What the dispatch room reads, which the street office reads too (reports, settings, devices). */
export const OVERSIGHT_ROLES: readonly UserRole[] = ['operator', 'supervisor', 'admin', 'street'];
export const ADMIN_ONLY: readonly UserRole[] = ['admin'];

/** One route as the auth plugin saw it: the access policy every request to it is checked against. */
export interface RouteAccessEntry {
  method: string;
  url: string;
  access: RouteAccess;
  /** A WebSocket route (its GET without an upgrade is answered 426). */
  websocket: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig extends RouteAccess {}
  interface FastifyInstance {
    /** Every route with its declared access, in registration order (for audits and the security tests). */
    readonly accessTable: readonly RouteAccessEntry[];
  }
  interface FastifyRequest {
    user: AuthUser | null;
    /** How the caller authenticated; bearer requests are exempt from the CSRF check. */
    authVia: 'cookie' | 'bearer' | 'query' | null;
  }
}
