import type { RedisOptions } from 'ioredis';

/**
 * Options for an ioredis connection that only subscribes. A subscribe issued while the
 * connection is still connecting races ioredis 5's handshake: its ready check (INFO) then goes
 * out in subscriber mode and is refused, thrown as "Connection in subscriber mode, only
 * subscriber commands may be used" (redis/ioredis#2037, fixed in ioredis 6). A subscriber has
 * nothing to wait for in the ready check, so it is off; commands wait for the connection.
 */
export const SUBSCRIBER_OPTIONS: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: false };
