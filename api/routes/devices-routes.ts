import type { FastifyInstance } from 'fastify';
import { ADMIN_ONLY, OVERSIGHT_ROLES } from '../route-access.js';
import { Page, responses } from '../schemas/common-schemas.js';
import { DeviceParams, DevicesQuery, ProvisionBody, ProvisionResponse, RevokeResponse } from '../schemas/devices-schemas.js';
import { DeviceItem } from '../schemas/households-schemas.js';
import type { DevicesService } from '../services/devices-service.js';

export async function devicesRoutes(app: FastifyInstance, { devices }: { devices: DevicesService }) {
  app.post<{ Body: ProvisionBody }>('/devices', {
    config: { roles: ADMIN_ONLY },
    schema: {
      tags: ['devices'], summary: 'Provision a device; the secret (MQTT password) is returned once',
      body: ProvisionBody, response: responses({ 201: ProvisionResponse }),
    },
  }, async (request, reply) => {
    const created = await devices.provision({ ...request.user!, ip: request.ip }, request.body);
    return reply.status(201).send(created);
  });

  app.get<{ Querystring: DevicesQuery }>('/devices', {
    config: { roles: OVERSIGHT_ROLES },
    schema: {
      tags: ['devices'], summary: 'Devices of the homes in your scope, by household', querystring: DevicesQuery,
      response: responses({ 200: Page(DeviceItem) }),
    },
  }, async (request) => devices.list(request.user!, request.query));

  app.post<{ Params: DeviceParams }>('/devices/:id/revoke', {
    config: { roles: ADMIN_ONLY },
    schema: {
      tags: ['devices'], summary: 'Revoke a device: it can no longer connect, and a live session is cut',
      params: DeviceParams, response: responses({ 200: RevokeResponse }),
    },
  }, async (request) => devices.revoke({ ...request.user!, ip: request.ip }, request.params.id));

  // The same as POST …/revoke: the row stays (its signals and alerts are evidence), the device is out.
  app.delete<{ Params: DeviceParams }>('/devices/:id', {
    config: { roles: ADMIN_ONLY },
    schema: {
      tags: ['devices'], summary: 'Revoke a device (same as POST /devices/:id/revoke; the record is kept)',
      params: DeviceParams, response: responses({ 200: RevokeResponse }),
    },
  }, async (request) => devices.revoke({ ...request.user!, ip: request.ip }, request.params.id));
}
