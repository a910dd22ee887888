-- 010_register: the register, editable (issue 17): retiring places without losing history, the
-- household code that imports update by, site-plan positions, door/key notes, per-community
-- settings and import jobs. Append-only: never edit or reorder a migration that has shipped.

-- Retiring hides a place from lists by default and keeps every row that refers to it (alerts,
-- signals, visits stay readable). NULL = in service.
ALTER TABLE streets ADD COLUMN retired_at timestamptz;
ALTER TABLE communities ADD COLUMN retired_at timestamptz;
ALTER TABLE grids ADD COLUMN retired_at timestamptz;
ALTER TABLE buildings ADD COLUMN retired_at timestamptz;
ALTER TABLE households ADD COLUMN retired_at timestamptz;
ALTER TABLE residents ADD COLUMN retired_at timestamptz;

-- Per-community settings (DESIGN §4, issue 17 item 3): NULL = the global config value
-- (DAY_SHIFT, SLA_WARN_S, SLA_ONSITE_S, ACK_TIMEOUT_S); domain/community-settings.ts resolves.
-- communities.emergency_phone (001) is the community's 24-hour number.
ALTER TABLE communities ADD COLUMN day_shift text CHECK (day_shift ~ '^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$');
ALTER TABLE communities ADD COLUMN sla_warn_s integer CHECK (sla_warn_s > 0);
ALTER TABLE communities ADD COLUMN sla_onsite_s integer CHECK (sla_onsite_s > 0);
ALTER TABLE communities ADD COLUMN ack_timeout_s integer CHECK (ack_timeout_s > 0);

-- Where a building stands on the community's site plan (metres from the plan's origin), and
-- optionally on the map (WGS-84).
ALTER TABLE buildings ADD COLUMN x_m double precision;
ALTER TABLE buildings ADD COLUMN y_m double precision;
ALTER TABLE buildings ADD COLUMN lat double precision CHECK (lat BETWEEN -90 AND 90);
ALTER TABLE buildings ADD COLUMN lng double precision CHECK (lng BETWEEN -180 AND 180);

-- The household code (户号) a community writes in its spreadsheet: the stable key a re-import
-- updates by, unique within a community (checked by the register service under the community's
-- row lock: the community is two joins away, so no index can say it). Existing homes get their id.
ALTER TABLE households ADD COLUMN code text;
UPDATE households SET code = id WHERE code IS NULL;
ALTER TABLE households ALTER COLUMN code SET NOT NULL;
CREATE INDEX households_code ON households (code);
-- A home written without a code (the demo seed, older scripts) is known by its id.
CREATE FUNCTION households_code_default() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.code IS NULL THEN NEW.code := NEW.id; END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER households_code_default BEFORE INSERT ON households FOR EACH ROW EXECUTE FUNCTION households_code_default();
-- Key and door notes (钥匙/门禁说明): who holds a key, the door code, how to get in.
ALTER TABLE households ADD COLUMN access_notes text;

CREATE INDEX streets_live ON streets (name) WHERE retired_at IS NULL;
CREATE INDEX communities_live ON communities (name) WHERE retired_at IS NULL;

-- Register imports: the uploaded file, its dry-run report and the apply, as a job the console
-- polls (several API instances share it through this table).
CREATE TABLE register_imports (
  id          uuid PRIMARY KEY,
  created_by  text NOT NULL,               -- username; only they read the job
  created_at  timestamptz NOT NULL,
  file_name   text NOT NULL,
  format      text NOT NULL CHECK (format IN ('xlsx', 'csv')),
  content     bytea NOT NULL,
  state       text NOT NULL CHECK (state IN ('checking', 'checked', 'applying', 'applied', 'failed')),
  phase       text NOT NULL DEFAULT '',
  done        integer NOT NULL DEFAULT 0,
  total       integer NOT NULL DEFAULT 0,
  report      jsonb,
  updated_at  timestamptz NOT NULL
);
CREATE INDEX register_imports_user ON register_imports (created_by, created_at DESC);
