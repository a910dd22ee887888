-- 006_zigbee2mqtt: real zigbee2mqtt hubs (issue 18, DESIGN §2 z2m_hub).
-- Append-only: never edit or reorder a migration that has shipped.

-- One row per z2m_hub device: the base topic it publishes under and what its bridge last said.
CREATE TABLE zigbee_hubs (
  hub_id          text PRIMARY KEY REFERENCES devices(id),
  base_topic      text NOT NULL DEFAULT 'zigbee2mqtt'
                    CHECK (base_topic <> '' AND base_topic !~ '[#+]' AND base_topic NOT LIKE 'guardian/%'
                           AND base_topic NOT LIKE '$%' AND base_topic NOT LIKE '%/'),
  bridge_state    text CHECK (bridge_state IN ('online', 'offline')),
  bridge_state_at timestamptz,
  version         text,                         -- zigbee2mqtt version from bridge/info
  coordinator     text,                         -- coordinator IEEE address from bridge/info
  last_seen_mode  text,                         -- advanced.last_seen of the hub (disable, ISO_8601, epoch…)
  devices_at      timestamptz                   -- when bridge/devices was last read
);

-- What a hub's bridge/devices offers, by IEEE address (stable; the friendly name is not).
-- device_id is set once an operator registered the Zigbee device as a child (devices.parent_id
-- = the hub); until then the row is a pending offer. `ack` holds the payloads that a siren or
-- light of the home gets on <base>/<friendly_name>/set when help is coming (per alert state).
CREATE TABLE zigbee_devices (
  hub_id           text NOT NULL REFERENCES devices(id),
  ieee             text NOT NULL CHECK (ieee ~ '^0x[0-9a-f]{16}$'),
  friendly_name    text NOT NULL,
  vendor           text,
  model            text,
  description      text,
  power_source     text,
  zigbee_type      text,                        -- Router | EndDevice
  features         text[] NOT NULL DEFAULT '{}', -- exposed properties: action, contact, occupancy…
  supported        boolean NOT NULL DEFAULT true,
  first_offered_at timestamptz NOT NULL,
  last_offered_at  timestamptz NOT NULL,
  gone_at          timestamptz,                 -- no longer in bridge/devices (removed from the network)
  device_id        text REFERENCES devices(id),
  link_quality     smallint,                    -- zigbee2mqtt linkquality, 0-255 LQI (not an RSSI)
  ack              jsonb,
  PRIMARY KEY (hub_id, ieee)
);
CREATE UNIQUE INDEX zigbee_devices_device ON zigbee_devices (device_id) WHERE device_id IS NOT NULL;
CREATE INDEX zigbee_devices_name ON zigbee_devices (hub_id, friendly_name) WHERE gone_at IS NULL;
CREATE INDEX zigbee_devices_pending ON zigbee_devices (hub_id) WHERE device_id IS NULL AND gone_at IS NULL;

-- The last state zigbee2mqtt published for each registered child. zigbee2mqtt sends the whole
-- cached state with every message and again on start, so signals come from changes against
-- this row (edges), and it outlives a gateway restart or a hub moving to another gateway.
CREATE TABLE zigbee_child_state (
  device_id  text PRIMARY KEY REFERENCES devices(id),
  state      jsonb NOT NULL,
  updated_at timestamptz NOT NULL
);
