-- 005_scope: who reaches what (issue 23, object-level access; issue 17, many communities).
-- Append-only: never edit or reorder a migration that has shipped.

-- A sub-district (街道) runs several communities; its street office watches them all.
CREATE TABLE streets (
  id         text PRIMARY KEY,
  name       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE communities ADD COLUMN street_id text REFERENCES streets(id);
CREATE INDEX communities_street ON communities (street_id);

-- Console users belong to communities (operators, supervisors) or streets (the street office).
ALTER TABLE users ADD COLUMN community_ids text[] NOT NULL DEFAULT '{}';
ALTER TABLE users ADD COLUMN street_ids text[] NOT NULL DEFAULT '{}';
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'operator', 'supervisor', 'responder', 'street'));

-- Upgrading: the operators and supervisors of an existing installation keep every community
-- they saw until an admin narrows them down; nobody is locked out by the upgrade.
UPDATE users SET community_ids = (SELECT COALESCE(array_agg(id ORDER BY id), '{}') FROM communities)
 WHERE role IN ('operator', 'supervisor');

-- A responder's access to the home of an alert they were paged for lasts while the alert is
-- live and a short while after it closed: this index finds the recently closed ones.
CREATE INDEX alerts_closed_recent ON alerts (closed_at) WHERE closed_at IS NOT NULL;

-- A backup sent to an alert (issue 15) may record the arrival and resolve it, like its holder.
ALTER TABLE notifications DROP CONSTRAINT notifications_purpose_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_purpose_check
  CHECK (purpose IN ('page', 'inform', 'reminder', 'supervisor', 'ack', 'roster_gap', 'backup'));
