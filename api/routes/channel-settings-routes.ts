import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ADMIN_ONLY, DISPATCH_ROLES, type AuthUser } from '../route-access.js';
import { Nullable, responses, StringEnum, TextId } from '../schemas/common-schemas.js';
import type { ChannelSettingsService } from '../services/channel-settings-service.js';

const ChannelParams = Type.Object({ channel: Type.String({ minLength: 1, maxLength: 32 }) });
const PutBody = Type.Object({
  scope: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: '"*" (default) or a community id' })),
  enabled: Type.Optional(Type.Boolean()),
  values: Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { description: 'Fields of the channel; secrets may be given, never returned in full' }),
}, { additionalProperties: false });
const ScopeQuery = Type.Object({ scope: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })) }, { additionalProperties: false });
const LadderBody = Type.Object({
  ladder: Nullable(Type.Object({
    smsAfterS: Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 86400 }))),
    voiceAfterS: Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 86400 }))),
    quietHours: Type.Optional(Nullable(Type.String({ maxLength: 11 }))),
  }, { additionalProperties: false })),
}, { additionalProperties: false });
const Any = Type.Record(Type.String(), Type.Unknown());
const Health = Type.Object({
  checkedAt: Nullable(Type.String()), stale: Type.Boolean(),
  problems: Type.Array(Type.Object({ communityId: Type.String(), communityName: Type.String(), level: Type.Integer(), reason: Type.String(), message: Type.String() })),
  failing: Type.Array(Type.Object({ channel: Type.String(), error: Type.String() })),
});

/** Channel settings (admin) and the channel health every operator page shows (issue 16). */
export async function channelSettingsRoutes(app: FastifyInstance, { channels, reconcileS }: { channels: ChannelSettingsService; reconcileS: number }) {
  const actor = (request: { user: AuthUser | null; ip: string }) => ({ ...request.user!, ip: request.ip });

  app.get('/channels/health', {
    config: { roles: DISPATCH_ROLES },
    schema: { tags: ['channels'], summary: 'Tiers without a working channel and channels that keep failing (the red banner)', response: responses({ 200: Health }) },
  }, async (request) => channels.health(request.user!, reconcileS));

  app.get('/channels', {
    config: { roles: ADMIN_ONLY },
    schema: { tags: ['channels'], summary: 'Channel settings (secrets masked) and the callback URLs to give the providers', response: responses({ 200: Any }) },
  }, async () => channels.list());

  app.put<{ Params: Static<typeof ChannelParams>; Body: Static<typeof PutBody> }>('/channels/:channel', {
    config: { roles: ADMIN_ONLY },
    schema: { tags: ['channels'], summary: 'Set a channel for every community ("*") or one; omitted secrets are kept', params: ChannelParams, body: PutBody, response: responses({ 200: Any }) },
  }, async (request) => channels.put(actor(request), request.params.channel, request.body));

  app.delete<{ Params: Static<typeof ChannelParams>; Querystring: Static<typeof ScopeQuery> }>('/channels/:channel', {
    config: { roles: ADMIN_ONLY },
    schema: { tags: ['channels'], summary: 'Remove a channel setting', params: ChannelParams, querystring: ScopeQuery, response: responses({ 200: Type.Object({ removed: Type.Boolean() }) }) },
  }, async (request) => channels.remove(actor(request), request.params.channel, request.query.scope));

  app.post<{ Params: { provider: 'aliyun' | 'tencent' } }>('/channels/callback-tokens/:provider', {
    config: { roles: ADMIN_ONLY },
    schema: {
      tags: ['channels'], summary: 'New callback token for a provider; its URLs are shown this once',
      params: Type.Object({ provider: StringEnum(['aliyun', 'tencent'] as const) }),
      response: responses({ 201: Type.Object({ provider: Type.String(), token: Type.String(), paths: Type.Array(Type.String()) }) }),
    },
  }, async (request, reply) => reply.status(201).send(await channels.rotateCallbackToken(actor(request), request.params.provider)));

  app.put<{ Params: { responderId: string }; Body: Static<typeof LadderBody> }>('/channels/ladder/:responderId', {
    config: { roles: ADMIN_ONLY },
    schema: { tags: ['channels'], summary: "One person's ladder (SMS after, call after, quiet hours); null = role default", params: Type.Object({ responderId: TextId }), body: LadderBody, response: responses({ 200: Any }) },
  }, async (request) => channels.putLadderOverride(actor(request), request.params.responderId, request.body.ladder));
}
