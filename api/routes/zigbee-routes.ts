import type { FastifyInstance } from 'fastify';
import type { UserRole } from '../../store/users-repository.js';
import { ADMIN_ONLY } from '../route-access.js';
import { Page, responses } from '../schemas/common-schemas.js';
import {
  AckBody, AckResponse, HubBody, HubParams, HubResponse, RegisterBody, RegisterResponse, ZigbeeDeviceItem, ZigbeeDeviceParams, ZigbeeDevicesQuery,
} from '../schemas/zigbee-schemas.js';
import type { ZigbeeService } from '../services/zigbee-service.js';

/** Installing a home's Zigbee devices is dispatch-room work: operators and admins. */
const INSTALLERS: readonly UserRole[] = ['operator', 'admin'];

export async function zigbeeRoutes(app: FastifyInstance, { zigbee }: { zigbee: ZigbeeService }) {
  app.get<{ Querystring: ZigbeeDevicesQuery }>('/zigbee/devices', {
    config: { roles: INSTALLERS },
    schema: {
      tags: ['devices'], summary: "Zigbee devices offered by zigbee2mqtt hubs (bridge/devices), registered or pending",
      querystring: ZigbeeDevicesQuery, response: responses({ 200: Page(ZigbeeDeviceItem) }),
    },
  }, async (request) => zigbee.list(request.user!, request.query));

  app.post<{ Params: ZigbeeDeviceParams; Body: RegisterBody }>('/hubs/:hubId/zigbee/:ieee/register', {
    config: { roles: INSTALLERS },
    schema: {
      tags: ['devices'], summary: 'Register an offered Zigbee device as a child of a household, by IEEE address; effective at once',
      params: ZigbeeDeviceParams, body: RegisterBody, response: responses({ 201: RegisterResponse }),
    },
  }, async (request, reply) => {
    const created = await zigbee.register({ ...request.user!, ip: request.ip }, request.params.hubId, request.params.ieee, request.body);
    return reply.status(201).send(created);
  });

  app.put<{ Params: ZigbeeDeviceParams; Body: AckBody }>('/hubs/:hubId/zigbee/:ieee/ack', {
    config: { roles: INSTALLERS },
    schema: {
      tags: ['devices'], summary: 'A siren or light of the home that says "help is coming" (<base>/<name>/set per alert state)',
      params: ZigbeeDeviceParams, body: AckBody, response: responses({ 200: AckResponse }),
    },
  }, async (request) => zigbee.setAck({ ...request.user!, ip: request.ip }, request.params.hubId, request.params.ieee, request.body));

  app.delete<{ Params: ZigbeeDeviceParams }>('/hubs/:hubId/zigbee/:ieee/ack', {
    config: { roles: INSTALLERS },
    schema: { tags: ['devices'], summary: 'Stop using this device for "help is coming"', params: ZigbeeDeviceParams, response: responses({ 200: AckResponse }) },
  }, async (request) => zigbee.setAck({ ...request.user!, ip: request.ip }, request.params.hubId, request.params.ieee, null));

  app.patch<{ Params: HubParams; Body: HubBody }>('/hubs/:hubId', {
    config: { roles: ADMIN_ONLY },
    schema: {
      tags: ['devices'], summary: "A hub's zigbee2mqtt base topic (mqtt.base_topic); takes effect at its next connect",
      params: HubParams, body: HubBody, response: responses({ 200: HubResponse }),
    },
  }, async (request) => zigbee.setBaseTopic({ ...request.user!, ip: request.ip }, request.params.hubId, request.body.baseTopic));
}
