-- 001_core: places, people, devices, signals, alerts. Append-only: never edit or reorder a
-- migration that has shipped; add a new numbered file instead.

CREATE TABLE communities (
  id              text PRIMARY KEY,
  name            text NOT NULL,
  address         text,
  emergency_phone text,
  created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE grids (
  id           text PRIMARY KEY,
  community_id text NOT NULL REFERENCES communities(id),
  name         text NOT NULL
);
CREATE INDEX grids_community ON grids (community_id);

CREATE TABLE buildings (
  id      text PRIMARY KEY,
  grid_id text NOT NULL REFERENCES grids(id),
  name    text NOT NULL,
  address text
);
CREATE INDEX buildings_grid ON buildings (grid_id);

-- One file per household (一户一档).
CREATE TABLE households (
  id                 text PRIMARY KEY,
  building_id        text NOT NULL REFERENCES buildings(id),
  unit               text NOT NULL,           -- e.g. "2单元301室"
  address            text NOT NULL,
  phone              text,
  living_situation   text NOT NULL DEFAULT 'alone' CHECK (living_situation IN ('alone', 'couple', 'with_family')),
  inactivity_day_s   integer NOT NULL DEFAULT 21600 CHECK (inactivity_day_s > 0),
  inactivity_night_s integer NOT NULL DEFAULT 43200 CHECK (inactivity_night_s > 0),
  notes              text,
  last_activity_at   timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX households_building ON households (building_id);

CREATE TABLE residents (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  household_id text NOT NULL REFERENCES households(id) ON DELETE CASCADE,
  name         text NOT NULL,
  gender       text CHECK (gender IN ('female', 'male')),
  birth_year   integer,
  phone        text,
  id_number    text,
  conditions   text[] NOT NULL DEFAULT '{}',
  notes        text
);
CREATE INDEX residents_household ON residents (household_id);

CREATE TABLE contacts (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  household_id text NOT NULL REFERENCES households(id) ON DELETE CASCADE,
  name         text NOT NULL,
  relation     text NOT NULL,
  phone        text NOT NULL,
  priority     integer NOT NULL DEFAULT 1
);
CREATE INDEX contacts_household ON contacts (household_id);

-- Devices authenticate with SHA-256(secret): secrets are 128-bit+ random tokens (DESIGN §2).
-- A zigbee child is registered as "<hubId>/<friendly_name>" with parent_id = the hub.
CREATE TABLE devices (
  id            text PRIMARY KEY,
  household_id  text NOT NULL REFERENCES households(id),
  kind          text NOT NULL,
  room          text,
  parent_id     text REFERENCES devices(id),
  secret_hash   bytea,                         -- NULL for zigbee children (they never CONNECT)
  heartbeat_s   integer NOT NULL DEFAULT 300 CHECK (heartbeat_s > 0),
  online        boolean NOT NULL DEFAULT false,
  last_seen_at  timestamptz,
  battery       smallint,
  rssi          smallint,
  revoked_at    timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX devices_household ON devices (household_id);
CREATE INDEX devices_parent ON devices (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX devices_last_seen ON devices (last_seen_at) WHERE revoked_at IS NULL;

CREATE TABLE responders (
  id           text PRIMARY KEY,
  name         text NOT NULL,
  role         text NOT NULL CHECK (role IN ('grid_worker', 'org_specialist', 'building_leader',
                 'neighbour_buddy', 'property_duty', 'supervisor', 'operator', 'admin')),
  phone        text NOT NULL,
  community_id text NOT NULL REFERENCES communities(id),
  grid_ids     text[] NOT NULL DEFAULT '{}',
  building_ids text[] NOT NULL DEFAULT '{}',
  household_ids text[] NOT NULL DEFAULT '{}',  -- neighbour buddies look after particular homes
  on_duty      boolean NOT NULL DEFAULT true,
  active       boolean NOT NULL DEFAULT true,
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- Weekly pattern (weekday 0=Sunday..6, local time in GUARDIAN_TZ) or a dated override.
CREATE TABLE roster_shifts (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  responder_id text NOT NULL REFERENCES responders(id) ON DELETE CASCADE,
  weekday      smallint CHECK (weekday BETWEEN 0 AND 6),
  on_date      date,
  starts       time NOT NULL,
  ends         time NOT NULL,                  -- ends <= starts means the shift crosses midnight
  off_duty     boolean NOT NULL DEFAULT false, -- an override that removes someone for a date
  CHECK ((weekday IS NULL) <> (on_date IS NULL))
);
CREATE INDEX roster_shifts_responder ON roster_shifts (responder_id);

-- Raw signals. ts = event time (device time when plausible), device_ts = what the device said.
-- No primary key: on TimescaleDB this is a hypertable partitioned by ts.
CREATE TABLE signals (
  ts           timestamptz NOT NULL,
  received_at  timestamptz NOT NULL,
  device_ts    timestamptz NOT NULL,
  device_id    text NOT NULL,
  household_id text NOT NULL,
  event_id     text NOT NULL,
  type         text NOT NULL,
  value        jsonb,
  battery      smallint,
  rssi         smallint,
  confidence   real,
  room         text
);
CREATE INDEX signals_household_ts ON signals (household_id, ts DESC);
CREATE INDEX signals_device_ts ON signals (device_id, ts DESC);

-- Dedupe: the same (device, event id) within 24 h is stored once (DESIGN §2).
CREATE TABLE signal_dedupe (
  device_id text NOT NULL,
  event_id  text NOT NULL,
  seen_at   timestamptz NOT NULL,
  PRIMARY KEY (device_id, event_id)
);
CREATE INDEX signal_dedupe_seen ON signal_dedupe (seen_at);

CREATE TABLE quarantine (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  received_at timestamptz NOT NULL DEFAULT now(),
  device_id   text,
  topic       text NOT NULL,
  reason      text NOT NULL,
  size        integer NOT NULL,
  sample      text NOT NULL                    -- first bytes, escaped, for the engineer
);
CREATE INDEX quarantine_device ON quarantine (device_id, received_at DESC);

CREATE TABLE alerts (
  id               uuid PRIMARY KEY,
  household_id     text NOT NULL REFERENCES households(id),
  kind             text NOT NULL,
  severity         text NOT NULL CHECK (severity IN ('critical', 'high', 'maintenance')),
  state            text NOT NULL DEFAULT 'open'
                     CHECK (state IN ('open', 'notified', 'accepted', 'on_site', 'resolved', 'cancelled')),
  level            integer NOT NULL DEFAULT 0,
  device_id        text,
  first_signal_at  timestamptz NOT NULL,       -- the SLA clock starts here
  last_signal_at   timestamptz NOT NULL,
  signal_count     integer NOT NULL DEFAULT 1,
  opened_at        timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  routed_at        timestamptz,                -- NULL = not yet routed (the outbox)
  notified_at      timestamptz,
  accepted_at      timestamptz,
  accepted_by      text,
  on_site_at       timestamptz,
  closed_at        timestamptz,
  outcome          text CHECK (outcome IN ('assisted', 'false_alarm', 'hospital', 'no_answer', 'other')),
  resolution_note  text,
  cancel_reason    text,
  ack_breached     boolean NOT NULL DEFAULT false,
  sla_warned       boolean NOT NULL DEFAULT false,
  onsite_breached  boolean NOT NULL DEFAULT false
);
-- One open alert per (household, kind): new signals attach to it (DESIGN §3).
CREATE UNIQUE INDEX alerts_one_live ON alerts (household_id, kind)
  WHERE state IN ('open', 'notified', 'accepted', 'on_site');
CREATE INDEX alerts_state ON alerts (state, opened_at DESC);
CREATE INDEX alerts_household ON alerts (household_id, opened_at DESC);
CREATE INDEX alerts_unrouted ON alerts (opened_at) WHERE routed_at IS NULL;

-- The evidence trail: append-only.
CREATE TABLE alert_events (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  alert_id   uuid NOT NULL REFERENCES alerts(id),
  at         timestamptz NOT NULL DEFAULT now(),
  actor      text NOT NULL,                    -- 'device:<id>', 'user:<name>', 'system'
  type       text NOT NULL,                    -- created, repeat, state, note, escalated, ...
  from_state text,
  to_state   text,
  data       jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX alert_events_alert ON alert_events (alert_id, id);

CREATE TABLE alert_signals (
  alert_id    uuid NOT NULL REFERENCES alerts(id),
  device_id   text NOT NULL,
  event_id    text NOT NULL,
  type        text NOT NULL,
  ts          timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (alert_id, device_id, event_id)
);

CREATE TABLE notifications (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  alert_id     uuid REFERENCES alerts(id),
  responder_id text REFERENCES responders(id),
  tier         integer,
  channel      text NOT NULL,
  target       text NOT NULL,
  status       text NOT NULL,
  error        text,
  at           timestamptz NOT NULL DEFAULT now(),
  seen_at      timestamptz
);
CREATE INDEX notifications_alert ON notifications (alert_id, at);

CREATE TABLE visits (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  household_id text NOT NULL REFERENCES households(id),
  kind         text NOT NULL CHECK (kind IN ('visit', 'phone', 'check_in')),
  at           timestamptz NOT NULL DEFAULT now(),
  by_user      text,
  responder_id text REFERENCES responders(id),
  note         text NOT NULL DEFAULT '',
  scheduled_for timestamptz
);
CREATE INDEX visits_household ON visits (household_id, at DESC);

-- Humans. Passwords are scrypt hashes; sessions are random tokens stored as SHA-256.
CREATE TABLE users (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username      text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  role          text NOT NULL CHECK (role IN ('admin', 'operator', 'supervisor', 'responder')),
  responder_id  text REFERENCES responders(id),
  display_name  text,
  disabled      boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
  token_hash bytea PRIMARY KEY,
  user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE audit_log (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  username   text,
  role       text,
  action     text NOT NULL,                    -- e.g. household.read, device.provision
  target     text,
  ip         text,
  data       jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_target ON audit_log (target, at DESC);

CREATE TABLE settings (
  key        text PRIMARY KEY,
  value      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
