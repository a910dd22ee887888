-- 013_check_in_call: the staged check-in's phone call to the resident (issue 19 item 4). The
-- check keeps each stage's grace (chime, voice, call) and the notifications row of its call, so
-- the provider's receipt or key press (by CallId) finds the check it answers. A call has no
-- alert yet: its row has alert_id NULL and the purpose 'check_in'.
-- Append-only: never edit a shipped migration.
ALTER TABLE inactivity_checks
  ADD COLUMN grace_s integer[],
  ADD COLUMN call_notification_id bigint REFERENCES notifications(id);
CREATE INDEX inactivity_checks_call ON inactivity_checks (call_notification_id) WHERE call_notification_id IS NOT NULL;

ALTER TABLE notifications DROP CONSTRAINT notifications_purpose_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_purpose_check
  CHECK (purpose IN ('page', 'inform', 'reminder', 'supervisor', 'ack', 'roster_gap', 'backup', 'check_in'));
