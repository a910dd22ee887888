import { randomBytes } from 'node:crypto';
import { useRedisPrefix } from '../../store/redis-namespace.js';

/**
 * vitest setup file (integration, e2e): every test file gets its own Redis namespace — BullMQ
 * key prefix and pub/sub channel names (domain/redis-names.ts) — on the one redis-server of the
 * run, so two files running side by side never take each other's jobs or hear each other's
 * live events (issue 21 item 3). A file that needs one namespace per test calls useRedisPrefix.
 */
useRedisPrefix(`t${randomBytes(5).toString('hex')}`);
