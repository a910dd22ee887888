import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { DeviceKind } from '../../domain/device-kinds.js';
import { writeAudit } from '../../store/audit-repository.js';
import { inTransaction } from '../../store/db.js';
import { findDeviceForAuth, listDevices, provisionDevice, revokeDevice, type DeviceFilter } from '../../store/devices-repository.js';
import { householdExists } from '../../store/households-repository.js';
import { publishDeviceRevoked } from '../../store/live-publisher.js';
import { ApiError, notFound } from '../api-error.js';
import type { Clock } from '../../domain/clock.js';
import type { AuthUser } from '../route-access.js';
import type { AccessService } from './access-service.js';
import type { Actor } from './actor.js';

export interface ProvisionInput { householdId: string; kind: DeviceKind; room?: string; heartbeatS?: number }

/** Provisioning and revocation; both are audited. The secret is returned once and never logged. */
export class DevicesService {
  constructor(
    private readonly pool: pg.Pool,
    private readonly access: AccessService,
    private readonly clock: Clock,
    private readonly onDeviceRevoked?: (deviceId: string) => void,
    /** Every gateway hears a revocation on DEVICE_REVOKED_CHANNEL, also those in other processes. */
    private readonly redis?: Redis,
  ) {}

  async provision(actor: Actor, input: ProvisionInput): Promise<{ deviceId: string; secret: string }> {
    if (!(await this.access.reachesHousehold(actor, input.householdId))) throw unknownHousehold(input.householdId);
    try {
      return await inTransaction(this.pool, async (tx) => {
        if (!(await householdExists(tx, input.householdId))) throw unknownHousehold(input.householdId);
        const created = await provisionDevice(tx, input);
        await writeAudit(tx, {
          username: actor.username, role: actor.role, action: 'device.provision', target: created.deviceId, ip: actor.ip,
          data: { householdId: input.householdId, kind: input.kind, room: input.room ?? null },
        });
        return created;
      });
    } catch (err) {
      // The household was deleted between the check and the insert.
      if ((err as { code?: string }).code === '23503') throw unknownHousehold(input.householdId);
      throw err;
    }
  }

  /** The devices of the homes in the caller's scope. */
  list(user: AuthUser, q: Omit<DeviceFilter, 'scope' | 'now'> & { limit: number; offset: number }) {
    return listDevices(this.pool, { ...q, scope: user.scope, now: this.clock.now() });
  }

  async revoke(actor: Actor, id: string): Promise<{ deviceId: string; revoked: boolean; alreadyRevoked: boolean }> {
    const device = await findDeviceForAuth(this.pool, id);
    if (!device) throw notFound(`no device ${id}`);
    await this.access.household(actor, device.householdId, `no device ${id}`);
    const changed = await revokeDevice(this.pool, id, this.clock.now());
    if (changed) {
      await writeAudit(this.pool, { username: actor.username, role: actor.role, action: 'device.revoke', target: id, ip: actor.ip, data: { householdId: device.householdId } });
    }
    // Cut a live session even when the row was already revoked: revoking twice must be safe and sure.
    this.onDeviceRevoked?.(id);
    // A lost publish (Redis down) leaves the session up until it drops; its next CONNECT is refused.
    await publishDeviceRevoked(this.redis, { deviceIds: [id] }).catch(() => {});
    return { deviceId: id, revoked: true, alreadyRevoked: !changed };
  }
}

function unknownHousehold(id: string) {
  return new ApiError(400, 'unknown_household', `householdId: no household "${id}"; create the household first`);
}
