import { Type } from '@sinclair/typebox';
import { Nullable, StringEnum } from './common-schemas.js';

/** What the dispatch room runs on (read-only: these come from the environment, DESIGN §1). */
export const SettingsResponse = Type.Object({
  timezone: Type.String(), dayShift: Type.String(),
  ackTimeoutS: Type.Integer(), slaWarnS: Type.Integer(), slaOnsiteS: Type.Integer(),
  arriveRemindS: Type.Integer(), checkinGraceS: Type.Integer(), reconcileS: Type.Integer(),
  webhook: Type.Object({ url: Nullable(Type.String()), signed: Type.Boolean() }, { description: 'The SMS/voice gateway; set with `npx guardian webhook set <url>`' }),
  webPush: Type.Boolean({ description: 'VAPID keys exist (generated when the dispatcher first starts)' }),
  shift: Type.Object({
    name: StringEnum(['day', 'night'] as const), date: Type.String({ description: 'Local date (GUARDIAN_TZ) the shift started on' }),
    endsAt: Type.String({ format: 'date-time', description: 'When the next shift starts' }),
  }, { description: 'The shift in force now (DAY_SHIFT in GUARDIAN_TZ)' }),
  source: Type.String({ description: 'Where to change these' }),
});

export const VapidKeyResponse = Type.Object({ publicKey: Type.String({ description: 'base64url, for PushManager.subscribe' }) });

export const PushSubscriptionBody = Type.Object({
  endpoint: Type.String({ minLength: 8, maxLength: 2048, pattern: '^https://' }),
  keys: Type.Object({
    p256dh: Type.String({ minLength: 16, maxLength: 256, pattern: '^[A-Za-z0-9_=-]+$' }),
    auth: Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_=-]+$' }),
  }, { additionalProperties: false }),
}, { additionalProperties: false });

export const PushUnsubscribeBody = Type.Object({ endpoint: Type.String({ minLength: 8, maxLength: 2048 }) }, { additionalProperties: false });
