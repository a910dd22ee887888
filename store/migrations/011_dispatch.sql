-- 011_dispatch: dispatch by distance and availability (issue 15). Append-only: never edit or
-- reorder a migration that has shipped.

-- Where a responder starts from: their home building or duty post (a building), or a point on
-- the community's site plan (metres, as buildings.x_m/y_m). How they move (walk or bike), and
-- whether they opted in as a night "first-on-scene neighbour" (邻里守望). A live position is
-- shared from the phone view while on duty only (cleared when they go off duty).
ALTER TABLE responders ADD COLUMN base_building_id text REFERENCES buildings(id);
ALTER TABLE responders ADD COLUMN base_x_m double precision;
ALTER TABLE responders ADD COLUMN base_y_m double precision;
ALTER TABLE responders ADD COLUMN travel_mode text NOT NULL DEFAULT 'walk' CHECK (travel_mode IN ('walk', 'bike'));
ALTER TABLE responders ADD COLUMN night_first_on_scene boolean NOT NULL DEFAULT false;
ALTER TABLE responders ADD COLUMN live_x_m double precision;
ALTER TABLE responders ADD COLUMN live_y_m double precision;
ALTER TABLE responders ADD COLUMN live_at timestamptz;

-- Who was sent to an alert and what they said: a page (primary wave n), a backup, the dispatch
-- room's own pick, a decline with its reason, a hand-back ("can't go"). Append-only per alert:
-- a responder's latest row says where they stand. eta_s is the estimate shown to the operator.
CREATE TABLE alert_dispatches (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  alert_id     uuid NOT NULL REFERENCES alerts(id),
  responder_id text NOT NULL REFERENCES responders(id),
  kind         text NOT NULL CHECK (kind IN ('page', 'backup', 'operator', 'decline', 'hand_back')),
  wave         integer,
  eta_s        integer,
  reason       text,
  actor        text NOT NULL DEFAULT 'system',
  at           timestamptz NOT NULL,
  -- Operator picks are paged by the dispatcher; set once the page went out.
  paged_at     timestamptz
);
CREATE INDEX alert_dispatches_alert ON alert_dispatches (alert_id, id);
CREATE INDEX alert_dispatches_responder ON alert_dispatches (responder_id, at DESC);
CREATE INDEX alert_dispatches_unpaged ON alert_dispatches (alert_id) WHERE kind = 'operator' AND paged_at IS NULL;

-- Who pressed 到达 first (the holder or a backup), when the holder is expected at the door (the
-- backup timer runs from it), and since when nobody could be sent (the red banner).
ALTER TABLE alerts ADD COLUMN on_site_by text;
ALTER TABLE alerts ADD COLUMN expected_arrival_at timestamptz;
ALTER TABLE alerts ADD COLUMN nobody_available_at timestamptz;
CREATE INDEX alerts_on_site_by ON alerts (on_site_by) WHERE state = 'on_site';
