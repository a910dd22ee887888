import type pg from 'pg';
import { wallClock, type Clock } from '../../domain/clock.js';
import { ACK_PRESETS, parseAckPayloads, suggestAckPreset, type AckPayloads } from '../../domain/zigbee2mqtt-ack.js';
import { childHeartbeatS, normalizeIeee, suggestChildKind } from '../../domain/zigbee2mqtt-bridge.js';
import { validBaseTopic } from '../../domain/zigbee2mqtt-topic.js';
import type { DeviceKind } from '../../domain/device-kinds.js';
import { writeAudit } from '../../store/audit-repository.js';
import { findDeviceForAuth } from '../../store/devices-repository.js';
import {
  findZigbeeDevice, listZigbeeDevices, registerZigbeeChild, setAckPayloads, setHubBaseTopic, type ZigbeeDeviceRow,
} from '../../store/zigbee2mqtt-repository.js';
import { ApiError, badRequest, notFound } from '../api-error.js';
import type { AuthUser } from '../route-access.js';
import type { AccessService } from './access-service.js';
import type { Actor } from './actor.js';

export type ZigbeeDeviceView = ZigbeeDeviceRow & { suggestedKind: string | null; suggestedAck: string | null };

/**
 * A hub's Zigbee devices (issue 18): what it offers from bridge/devices, registering one as a
 * child of a household (by IEEE address, effective for the very next message), and the
 * help-is-coming payloads of a siren or light. Every change is audited.
 */
export class ZigbeeService {
  constructor(private readonly pool: pg.Pool, private readonly access: AccessService, private readonly clock: Clock = wallClock) {}

  /** The offers of hubs in homes the caller reaches. */
  async list(user: AuthUser, q: { hubId?: string; pending?: boolean; limit: number; offset: number }): Promise<{ items: ZigbeeDeviceView[]; total: number }> {
    const page = await listZigbeeDevices(this.pool, { ...q, scope: user.scope, now: this.clock.now() });
    return { items: page.items.map(view), total: page.total };
  }

  async register(actor: Actor, hubId: string, rawIeee: string, body: { kind: DeviceKind; room: string; householdId?: string; heartbeatS?: number }) {
    const offer = await this.offer(actor, hubId, rawIeee);
    const householdId = body.householdId ?? offer.hubHouseholdId;
    if (!(await this.access.reachesHousehold(actor, householdId))) {
      throw new ApiError(400, 'unknown_household', `householdId: no household "${householdId}"; create the household first`);
    }
    const heartbeatS = body.heartbeatS ?? childHeartbeatS(body.kind, offer.powerSource);
    const result = await registerZigbeeChild(this.pool, {
      hubId, ieee: offer.ieee, householdId, kind: body.kind, room: body.room, heartbeatS, at: this.clock.now(),
    });
    if (!result.ok) {
      if (result.reason === 'already_registered') throw new ApiError(409, 'already_registered', `${offer.friendlyName} (${offer.ieee}) is already registered as ${result.deviceId}; revoke that device first to register it again`);
      if (result.reason === 'gone') throw new ApiError(409, 'device_gone', `${offer.friendlyName} (${offer.ieee}) is no longer in the hub's network; pair it with zigbee2mqtt again`);
      throw notFound(`hub ${hubId} has not offered ${offer.ieee}`);
    }
    await writeAudit(this.pool, {
      username: actor.username, role: actor.role, action: 'device.register_zigbee', target: result.deviceId, ip: actor.ip,
      data: { hubId, ieee: offer.ieee, friendlyName: offer.friendlyName, householdId, kind: body.kind, room: body.room, heartbeatS, model: offer.model, vendor: offer.vendor },
    });
    return { deviceId: result.deviceId, householdId, kind: body.kind, heartbeatS };
  }

  async setAck(actor: Actor, hubId: string, rawIeee: string, body: { preset?: 'light' | 'siren'; payloads?: unknown } | null) {
    const offer = await this.offer(actor, hubId, rawIeee);
    let ack: AckPayloads | null = null;
    if (body) {
      if ((body.preset === undefined) === (body.payloads === undefined)) throw badRequest('give either preset (light, siren) or payloads', 'bad_ack');
      if (body.preset) ack = ACK_PRESETS[body.preset];
      else {
        const parsed = parseAckPayloads(body.payloads);
        if (!parsed.ok) throw badRequest(`payloads: ${parsed.reason}`, 'bad_ack');
        ack = parsed.value;
      }
    }
    await setAckPayloads(this.pool, hubId, offer.ieee, ack);
    await writeAudit(this.pool, {
      username: actor.username, role: actor.role, action: ack ? 'zigbee.ack_set' : 'zigbee.ack_clear', target: `${hubId}/${offer.ieee}`, ip: actor.ip,
      data: { friendlyName: offer.friendlyName, householdId: offer.hubHouseholdId, ...(body?.preset ? { preset: body.preset } : {}), ack },
    });
    return { hubId, ieee: offer.ieee, ack };
  }

  async setBaseTopic(actor: Actor, hubId: string, baseTopic: string) {
    const hub = await findDeviceForAuth(this.pool, hubId);
    if (!hub || hub.kind !== 'z2m_hub') throw notFound(`no zigbee2mqtt hub ${hubId}`);
    await this.access.household(actor, hub.householdId, `no zigbee2mqtt hub ${hubId}`);
    if (!validBaseTopic(baseTopic)) {
      throw badRequest('baseTopic: no wildcards (+, #), no empty levels, not under guardian/ or $', 'bad_base_topic');
    }
    await setHubBaseTopic(this.pool, hubId, baseTopic);
    await writeAudit(this.pool, { username: actor.username, role: actor.role, action: 'zigbee.hub_base_topic', target: hubId, ip: actor.ip, data: { baseTopic } });
    return { hubId, baseTopic };
  }

  /** The hub's offer of this device; 404 when there is none, or the hub's home is out of the caller's scope. */
  private async offer(user: AuthUser, hubId: string, rawIeee: string): Promise<ZigbeeDeviceRow> {
    const ieee = normalizeIeee(rawIeee);
    if (!ieee) throw badRequest('ieee: an IEEE address such as 0x00158d0001a2b3c4', 'bad_ieee');
    const offer = await findZigbeeDevice(this.pool, hubId, ieee);
    const missing = `no zigbee2mqtt hub ${hubId} offering ${ieee}: check that zigbee2mqtt is connected and the device is paired`;
    if (!offer) throw notFound(missing);
    await this.access.household(user, offer.hubHouseholdId, missing);
    return offer;
  }
}

function view(row: ZigbeeDeviceRow): ZigbeeDeviceView {
  return { ...row, suggestedKind: suggestChildKind(row.features), suggestedAck: suggestAckPreset(row.features) };
}
