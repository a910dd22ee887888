import type { FastifyInstance } from 'fastify';
import { ALL_ROLES, OVERSIGHT_ROLES } from '../route-access.js';
import { responses } from '../schemas/common-schemas.js';
import { PushSubscriptionBody, PushUnsubscribeBody, SettingsResponse, VapidKeyResponse } from '../schemas/settings-schemas.js';
import { Type, type Static } from '@sinclair/typebox';
import type { SettingsService } from '../services/settings-service.js';

/** The settings in force (dispatch room, read-only) and Web Push subscriptions (everyone, their own). */
export async function settingsRoutes(app: FastifyInstance, { settings }: { settings: SettingsService }) {
  app.get('/settings', {
    config: { roles: OVERSIGHT_ROLES },
    schema: { tags: ['settings'], summary: 'Timeouts, SLA, shifts and channels in force (set by environment variables)', response: responses({ 200: SettingsResponse }) },
  }, async () => settings.current());

  app.get('/push/vapid-public-key', {
    config: { roles: ALL_ROLES },
    schema: { tags: ['push'], summary: 'The Web Push application-server key for PushManager.subscribe', response: responses({ 200: VapidKeyResponse }) },
  }, async () => settings.vapidPublicKey());

  app.post<{ Body: Static<typeof PushSubscriptionBody> }>('/push/subscriptions', {
    config: { roles: ALL_ROLES },
    schema: { tags: ['push'], summary: 'Register this browser for Web Push alerts', body: PushSubscriptionBody, response: responses({ 201: Type.Object({ subscribed: Type.Boolean() }) }) },
  }, async (request, reply) => reply.status(201).send(await settings.subscribe(request.user!, request.body)));

  app.delete<{ Body: Static<typeof PushUnsubscribeBody> }>('/push/subscriptions', {
    config: { roles: ALL_ROLES },
    schema: { tags: ['push'], summary: 'Stop Web Push to this browser', body: PushUnsubscribeBody, response: responses({ 200: Type.Object({ removed: Type.Boolean() }) }) },
  }, async (request) => settings.unsubscribe(request.user!, request.body.endpoint));
}
