import type { AuthUser } from '../route-access.js';

/** Who is doing something, for access decisions and the audit log. */
export interface Actor extends AuthUser { ip: string }
