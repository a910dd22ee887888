import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Device secrets are 192-bit random tokens, so a single SHA-256 is enough to store them:
 * no slow KDF per CONNECT, so a reconnect storm of 50k devices stays cheap (DESIGN §2).
 * (node:crypto is computation, not I/O, so it is allowed in domain/.)
 */
export function newDeviceSecret(): string {
  return randomBytes(24).toString('base64url');
}

export function hashSecret(secret: string | Buffer): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** Constant-time comparison of a presented secret with the stored hash. */
export function secretMatches(presented: string | Buffer, storedHash: Buffer | null | undefined): boolean {
  if (!storedHash || storedHash.length !== 32) return false;
  return timingSafeEqual(hashSecret(presented), storedHash);
}

/** Random opaque tokens (sessions, device ids). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
