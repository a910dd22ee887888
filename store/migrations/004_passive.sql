-- 004_passive: what the passive-rule sweeps need (DESIGN §4 "Passive rules", issue 4 items 3, 11b).
-- Append-only: never edit or reorder a migration that has shipped.

-- The sweeps look for "quiet since before now - smallest threshold" with a range scan on
-- households_last_activity / devices_last_seen; the smallest threshold itself is read from
-- these indexes (min() is then an index-only lookup, not a scan of every home).
CREATE INDEX households_inactivity_day ON households (inactivity_day_s);
CREATE INDEX households_inactivity_night ON households (inactivity_night_s);
CREATE INDEX devices_heartbeat ON devices (heartbeat_s) WHERE revoked_at IS NULL;

-- Devices that never reported: the offline rule counts from created_at for them.
CREATE INDEX devices_never_seen ON devices (created_at) WHERE revoked_at IS NULL AND last_seen_at IS NULL;

-- battery_low sweep: only the few devices below the threshold are in this index.
CREATE INDEX devices_battery_low ON devices (household_id) WHERE revoked_at IS NULL AND battery < 20;

-- A roster gap (grid, first-tier role, shift) is reported once per shift, by whichever
-- dispatcher inserts the row first (several dispatchers sweep the same queue).
CREATE TABLE roster_gap_reports (
  shift_date  date NOT NULL,
  shift       text NOT NULL CHECK (shift IN ('day', 'night')),
  grid_id     text NOT NULL REFERENCES grids(id),
  role        text NOT NULL,
  reported_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (shift_date, shift, grid_id, role)
);
