-- 009_channels: SMS, voice and group-robot channels, their receipts and replies, the per-person
-- ladder, one-time sign-in links and the channel health check (issue 16, DESIGN §5).
-- Append-only: never edit or reorder a migration that has shipped.

-- Every attempt keeps what the provider said about it: the provider and its message id (Aliyun
-- BizId / CallId, Tencent SerialNo / CallId), then the delivery receipt that arrives later by
-- callback, and the reply ("1") or key press that came back on it.
ALTER TABLE notifications ADD COLUMN provider text;
ALTER TABLE notifications ADD COLUMN provider_message_id text;
ALTER TABLE notifications ADD COLUMN delivery_status text CHECK (delivery_status IN ('delivered', 'failed', 'answered', 'unanswered'));
ALTER TABLE notifications ADD COLUMN delivery_error text;
ALTER TABLE notifications ADD COLUMN delivered_at timestamptz;
ALTER TABLE notifications ADD COLUMN reply text;
ALTER TABLE notifications ADD COLUMN replied_at timestamptz;
CREATE INDEX notifications_provider_message ON notifications (provider, provider_message_id) WHERE provider_message_id IS NOT NULL;
-- An SMS reply carries only the phone number: the newest SMS to that number is what it answers.
CREATE INDEX notifications_sms_target ON notifications (target, at DESC) WHERE channel IN ('aliyun_sms', 'tencent_sms');
-- The health check reads each channel's latest attempts.
CREATE INDEX notifications_channel_at ON notifications (channel, at DESC);

-- Provider credentials and ids, per channel: scope '*' is the global default, a community id
-- overrides it field by field (its own sign name / template / robot). `secrets` holds the fields
-- that are never returned in full by the API (access key secrets, robot signing keys).
CREATE TABLE channel_settings (
  channel    text NOT NULL,
  scope      text NOT NULL DEFAULT '*',
  config     jsonb NOT NULL DEFAULT '{}',
  secrets    jsonb NOT NULL DEFAULT '{}',
  enabled    boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL,
  updated_by text,
  PRIMARY KEY (channel, scope)
);

-- Provider callbacks (receipts, SMS replies, key presses) come to a URL carrying this token; the
-- providers do not sign their pushes, so the token is the proof. Only its SHA-256 is kept.
CREATE TABLE callback_tokens (
  provider   text PRIMARY KEY CHECK (provider IN ('aliyun', 'tencent')),
  token_hash bytea NOT NULL,
  created_at timestamptz NOT NULL
);

-- A link in the SMS opens the phone view on the alert, signed in: single use, short-lived,
-- hashed at rest like sessions.
CREATE TABLE one_time_links (
  token_hash   bytea PRIMARY KEY,
  user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  alert_id     uuid NOT NULL REFERENCES alerts(id),
  notification_id bigint REFERENCES notifications(id),
  created_at   timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  used_at      timestamptz
);
CREATE INDEX one_time_links_expiry ON one_time_links (expires_at);

-- Per-person ladder overrides (app → SMS after N s → voice after M s, quiet hours). Role
-- defaults are the channel_settings row 'ladder'.
CREATE TABLE ladder_overrides (
  responder_id text PRIMARY KEY REFERENCES responders(id) ON DELETE CASCADE,
  ladder       jsonb NOT NULL,
  updated_at   timestamptz NOT NULL
);
