-- 012_passive_learned: each home's own rhythm, learned from its signals (issue 19), the care
-- team's tuning per household, and staged check-ins. Append-only: never edit a shipped migration.

-- How long the home is normally silent after a sign of life in a room at a local hour (0-23),
-- over the last 28 days: the gap from each activity signal to the next one. p99 is the line
-- beyond which silence is unusual for THIS home in THAT room at THAT hour; samples says how
-- much it rests on. Recomputed daily (store/passive-baseline-repository.ts).
CREATE TABLE household_silence_baselines (
  household_id text NOT NULL REFERENCES households(id) ON DELETE CASCADE,
  room         text NOT NULL,                  -- room of the signal as the device reports it ('' unknown)
  hour         smallint NOT NULL CHECK (hour BETWEEN 0 AND 23),
  samples      integer NOT NULL,
  gap_p50_s    integer NOT NULL,
  gap_p99_s    integer NOT NULL,
  PRIMARY KEY (household_id, room, hour)
);

-- The home's day: usual wake-up and bedtime (local minutes after midnight), activity per hour
-- of the week (mean events per hour, 168 values, Monday 00:00 first), and whether there is
-- enough history to trust any of it (else the static thresholds apply, as before).
CREATE TABLE household_rhythm (
  household_id     text PRIMARY KEY REFERENCES households(id) ON DELETE CASCADE,
  history_days     integer NOT NULL,
  enough_history   boolean NOT NULL,
  wake_median_min  smallint,
  wake_p99_min     smallint,
  bed_median_min   smallint,
  activity_by_how  real[] NOT NULL DEFAULT '{}',
  computed_at      timestamptz NOT NULL
);

-- What the care team set for one home (sensitivity; away mode while in hospital or with
-- family). Every change also goes to audit_log with who and when (api layer).
CREATE TABLE household_passive_tuning (
  household_id text PRIMARY KEY REFERENCES households(id) ON DELETE CASCADE,
  sensitivity  text NOT NULL DEFAULT 'normal' CHECK (sensitivity IN ('low', 'normal', 'high')),
  away_until   timestamptz,
  away_note    text,
  updated_by   text NOT NULL,
  updated_at   timestamptz NOT NULL
);
CREATE INDEX household_passive_tuning_away ON household_passive_tuning (away_until) WHERE away_until IS NOT NULL;

-- Staged check-ins: which rule started the check (static threshold, room-aware silence, not up
-- by the usual time, a night bathroom visit), the stage it is at (1 chime, 2 voice + call),
-- and the explanation that goes with the alert if nobody answers.
ALTER TABLE inactivity_checks
  ADD COLUMN reason      text NOT NULL DEFAULT 'static',
  ADD COLUMN stage       smallint NOT NULL DEFAULT 1,
  ADD COLUMN stages      smallint NOT NULL DEFAULT 1,
  ADD COLUMN next_grace_s integer,
  ADD COLUMN explanation jsonb;
