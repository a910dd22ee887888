-- 003_dispatch: what the dispatcher, the live feed and notifications need (issue 4).
-- Append-only: never edit or reorder a migration that has shipped.

-- The live feed (DESIGN §6): every change is appended here in the same transaction as the
-- change itself, so `seq` is gap-free in commit order per writer and a client resumes with
-- ?since=seq from the table; Redis pub/sub only makes delivery fast.
CREATE TABLE live_events (
  seq  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at   timestamptz NOT NULL DEFAULT now(),
  type text NOT NULL,
  data jsonb NOT NULL
);
CREATE INDEX live_events_at ON live_events (at);

-- When the current escalation level started (its ack timer runs from here), and the shift the
-- alert was routed in (reports group by it).
ALTER TABLE alerts ADD COLUMN level_started_at timestamptz;
ALTER TABLE alerts ADD COLUMN shift text CHECK (shift IN ('day', 'night'));
ALTER TABLE alerts ADD COLUMN shift_date date;
ALTER TABLE alerts ADD COLUMN grid_id text;
CREATE INDEX alerts_live ON alerts (opened_at) WHERE state IN ('open', 'notified', 'accepted', 'on_site');

-- Each notification is sent once even with several dispatchers: the sender that inserts the
-- row (ON CONFLICT DO NOTHING) is the one that sends. `round` names the occasion (tier 0,
-- escalation to 1, re-notify round 3, sla warn…).
ALTER TABLE notifications ADD COLUMN round text NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN purpose text NOT NULL DEFAULT 'page'
  CHECK (purpose IN ('page', 'inform', 'reminder', 'supervisor', 'ack', 'roster_gap'));
ALTER TABLE notifications ADD COLUMN attempts integer NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN sent_at timestamptz;
CREATE UNIQUE INDEX notifications_once ON notifications (alert_id, round, channel, target) WHERE alert_id IS NOT NULL;
CREATE INDEX notifications_responder ON notifications (responder_id, at DESC);

-- Web Push subscriptions of a console user (the responder phone view).
CREATE TABLE push_subscriptions (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  endpoint   text NOT NULL UNIQUE,
  p256dh     text NOT NULL,
  auth       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  failed_at  timestamptz
);
CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id);

-- Inactivity pre-alarm (issue 4 item 11c): a check-in sent to the home before an alert opens.
CREATE TABLE inactivity_checks (
  household_id text PRIMARY KEY REFERENCES households(id),
  started_at   timestamptz NOT NULL,
  deadline_at  timestamptz NOT NULL,
  quiet_since  timestamptz
);

CREATE INDEX households_last_activity ON households (last_activity_at);
CREATE INDEX responders_role ON responders (role) WHERE active;
