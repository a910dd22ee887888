import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ErrorResponse, StringEnum } from '../schemas/common-schemas.js';
import type { CallbackKind, CallbackProvider, ChannelCallbacksService } from '../services/channel-callbacks-service.js';

const KINDS: Record<CallbackProvider, readonly CallbackKind[]> = {
  aliyun: ['sms-report', 'sms-up', 'voice-report'],
  tencent: ['sms-status', 'sms-reply', 'voice'],
};

const Params = Type.Object({ token: Type.String({ minLength: 16, maxLength: 128 }), kind: Type.String({ maxLength: 32 }) });
/** Providers add fields over time; we read the ones we know and keep the rest out of the way. */
const AnyBody = Type.Union([Type.Array(Type.Record(Type.String(), Type.Unknown()), { maxItems: 1000 }), Type.Record(Type.String(), Type.Unknown())]);

/**
 * Public endpoints for the providers' pushes (issue 16). The answer each provider expects on
 * success: Aliyun `{"code":0,"msg":"接收成功"}`, Tencent `{"result":0,"errmsg":"OK"}`; a
 * wrong token is a 401 (and an audit row), so a forger learns nothing and the provider retries.
 */
export async function channelCallbacksRoutes(app: FastifyInstance, { callbacks }: { callbacks: ChannelCallbacksService }) {
  for (const provider of ['aliyun', 'tencent'] as const) {
    const Answer = provider === 'aliyun'
      ? Type.Object({ code: Type.Integer(), msg: Type.String() })
      : Type.Object({ result: Type.Integer(), errmsg: Type.String() });
    app.post<{ Params: Static<typeof Params>; Body: unknown }>(`/callbacks/${provider}/:token/:kind`, {
      config: { public: true },
      schema: {
        tags: ['channels'], security: [],
        summary: `${provider === 'aliyun' ? 'Alibaba Cloud HTTP batch push' : 'Tencent Cloud callback'}: ${KINDS[provider].join(', ')}`,
        description: 'Delivery receipts, SMS replies and key presses. The URL (with its secret token) is printed by `npx guardian channel callbacks --rotate`; a reply "1" or key 1 accepts the alert for the responder it was sent to.',
        params: { ...Params, properties: { ...Params.properties, kind: StringEnum(KINDS[provider]) } },
        body: AnyBody,
        response: { 200: Answer, '4xx': ErrorResponse, '5xx': ErrorResponse },
      },
    }, async (request) => {
      const { token, kind } = request.params;
      await callbacks.verify(provider, token, kind, request.ip);
      await callbacks.handle(provider, kind as CallbackKind, request.body, request.ip);
      return provider === 'aliyun' ? { code: 0, msg: '接收成功' } : { result: 0, errmsg: 'OK' };
    });
  }
}
