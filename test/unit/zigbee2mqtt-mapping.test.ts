import { describe, expect, test } from 'vitest';
import { mapZ2mMessage, parseLastSeen, z2mEventIdBase, type Z2mState } from '../../domain/zigbee2mqtt-mapping.js';
import { EmulatedZigbeeDevice, fleet, tuyaDatapoints } from '../helpers/z2m-fleet.js';

/**
 * Issue 18 item 3, with payloads made by zigbee-herdsman-converters' own fromZigbee converters
 * (test/helpers/z2m-converters.ts): the edge, never the resend.
 */
const at = new Date('2026-11-24T02:00:00Z');
const brief = (m: ReturnType<typeof mapZ2mMessage>) => m.events.map((e) => ({ type: e.type, value: e.value }));

describe('every device family: its emergency once, never again on a resend', () => {
  for (const d of fleet()) {
    test(d.name, async () => {
      const dev = new EmulatedZigbeeDevice(d.spec);
      let state: Z2mState | null = null;
      // A calm reading first (as after registration), so the door's first contact is known.
      if (d.calm) state = mapZ2mMessage(d.kind, state, (await dev.receive(d.calm))!, 'calm', at).state;
      else if (d.kind === 'door_contact') state = { contact: true };
      const msg = (await dev.receive(d.trigger))!;
      const first = mapZ2mMessage(d.kind, state, msg, 'm1', at);
      expect(brief(first)).toContainEqual(d.expect);
      // zigbee2mqtt republishes the whole cached state (last_seen, a battery report, a restart).
      const again = mapZ2mMessage(d.kind, first.state, dev.resend(), 'm2', at);
      expect(brief(again).filter((e) => e.type !== 'battery')).toEqual([]);
    });
  }
});

describe('the child kind comes first', () => {
  test('any press of a sos_button or pull_cord is an SOS, single, double or hold alike', async () => {
    const hs1eb = new EmulatedZigbeeDevice({ ieeeAddr: '0x00158d0000000001', modelID: 'SOS-EM', manufacturerName: 'HEIMAN' });
    for (const zonestatus of [1, 2, 3]) {
      const msg = (await hs1eb.receive({ cluster: 'ssIasZone', type: 'commandStatusChangeNotification', data: { zonestatus } }))!;
      expect(brief(mapZ2mMessage('sos_button', null, msg, 'x', at))).toEqual([{ type: 'sos', value: ['single', 'double', 'hold'][zonestatus - 1] }]);
      expect(brief(mapZ2mMessage('pull_cord', null, msg, 'x', at))[0]?.type).toBe('sos');
    }
  });

  test('the same button registered as something else is a button press, not an SOS', async () => {
    const snzb = new EmulatedZigbeeDevice({ ieeeAddr: '0x00158d0000000002', modelID: 'WB01' });
    const msg = (await snzb.receive({ cluster: 'genOnOff', type: 'commandToggle', data: {} }))!;
    expect(brief(mapZ2mMessage('pir', null, msg, 'x', at))).toEqual([{ type: 'button', value: 'single' }]);
  });

  test('two presses are two events; each press is one even though action is never cached', async () => {
    const snzb = new EmulatedZigbeeDevice({ ieeeAddr: '0x00158d0000000003', modelID: 'WB01' });
    const first = mapZ2mMessage('sos_button', null, (await snzb.receive({ cluster: 'genOnOff', type: 'commandToggle', data: {} }))!, 'a', at);
    const second = mapZ2mMessage('sos_button', first.state, (await snzb.receive({ cluster: 'genOnOff', type: 'commandToggle', data: {} }))!, 'b', at);
    expect(first.events.map((e) => e.id)).toEqual(['a-action']);
    expect(second.events.map((e) => e.id)).toEqual(['b-action']);
    expect(second.state).not.toHaveProperty('action');
  });
});

describe('state, not events', () => {
  test('a door sensor heartbeat with contact unchanged is no sign of life', async () => {
    const door = new EmulatedZigbeeDevice({ ieeeAddr: '0x00158d0000000004', modelID: 'lumi.sensor_magnet.aq2' });
    const closed = mapZ2mMessage('door_contact', null, (await door.receive({ cluster: 'genOnOff', type: 'attributeReport', data: { onOff: 0 } }))!, 'a', at);
    expect(closed.events).toEqual([]); // the first report only says where the door is
    // Xiaomi's hourly heartbeat (genBasic 0xFF01): battery and temperature, contact unchanged.
    const heartbeat = (await door.receive({ cluster: 'genBasic', type: 'attributeReport', data: { 65281: { 1: 3005, 3: 25, 100: 0 } } }))!;
    expect(heartbeat).toMatchObject({ contact: true, battery: 100 });
    const mapped = mapZ2mMessage('door_contact', closed.state, heartbeat, 'b', at);
    expect(brief(mapped)).toEqual([{ type: 'battery', value: 100 }]);
    const opened = mapZ2mMessage('door_contact', mapped.state, (await door.receive({ cluster: 'genOnOff', type: 'attributeReport', data: { onOff: 1 } }))!, 'c', at);
    expect(brief(opened)).toEqual([{ type: 'door', value: 'open' }]);
  });

  test('a cached fall_down_status:"fall" does not reopen a fall; a new fall after "none" does', async () => {
    const radar = new EmulatedZigbeeDevice({ ieeeAddr: '0x00158d0000000005', modelID: 'TS0601', manufacturerName: '_TZE200_lu01t0zl', powerSource: 'Mains (single phase)' });
    const fall = mapZ2mMessage('fall_radar', null, (await radar.receive(tuyaDatapoints([{ dp: 116, datatype: 4, data: [2] }])))!, 'a', at);
    expect(brief(fall)).toContainEqual({ type: 'fall', value: 'fall' });
    const presence = mapZ2mMessage('fall_radar', fall.state, (await radar.receive(tuyaDatapoints([{ dp: 1, datatype: 4, data: [1] }])))!, 'b', at);
    expect(presence.events.map((e) => e.type)).toEqual(['presence']);
    const none = mapZ2mMessage('fall_radar', presence.state, (await radar.receive(tuyaDatapoints([{ dp: 116, datatype: 4, data: [0] }])))!, 'c', at);
    expect(none.events).toEqual([]);
    const again = mapZ2mMessage('fall_radar', none.state, (await radar.receive(tuyaDatapoints([{ dp: 116, datatype: 4, data: [2] }])))!, 'd', at);
    expect(brief(again)).toEqual([{ type: 'fall', value: 'fall' }]);
  });

  test('mmWave presence is a sign of life on change; absence is stored as presence=false', async () => {
    const fp1e = new EmulatedZigbeeDevice({ ieeeAddr: '0x00158d0000000006', modelID: 'lumi.sensor_occupy.agl1', powerSource: 'Mains (single phase)' });
    const here = mapZ2mMessage('pir', null, (await fp1e.receive({ cluster: 'manuSpecificLumi', type: 'attributeReport', data: { 322: 1 } }))!, 'a', at);
    expect(brief(here)).toEqual([{ type: 'presence', value: true }]);
    const gone = mapZ2mMessage('pir', here.state, (await fp1e.receive({ cluster: 'manuSpecificLumi', type: 'attributeReport', data: { 322: 0 } }))!, 'b', at);
    expect(brief(gone)).toEqual([{ type: 'presence', value: false }]);
  });

  test('presence_state of a Tuya radar: "none" is absence, anything else presence', () => {
    const a = mapZ2mMessage('pir', null, { presence_state: 'presence', linkquality: 80 }, 'a', at);
    expect(brief(a)).toEqual([{ type: 'presence', value: 'presence' }]);
    expect(brief(mapZ2mMessage('pir', a.state, { presence_state: 'none' }, 'b', at))).toEqual([{ type: 'presence', value: false }]);
  });

  test('battery_low from an IAS zone, battery_state "low": raised once', async () => {
    const leak = new EmulatedZigbeeDevice({ ieeeAddr: '0x00158d0000000007', modelID: 'WaterSensor-N' });
    const low = mapZ2mMessage('leak_sensor', { battery_low: false }, (await leak.receive({ cluster: 'ssIasZone', type: 'commandStatusChangeNotification', data: { zonestatus: 8 } }))!, 'a', at);
    expect(low.batteryLowRaised).toBe(true);
    expect(mapZ2mMessage('leak_sensor', low.state, leak.resend(), 'b', at).batteryLowRaised).toBe(false);
    expect(mapZ2mMessage('pir', null, { battery_state: 'low' }, 'c', at).batteryLowRaised).toBe(true);
  });

  test('linkquality is kept apart from RSSI; last_seen is device time', async () => {
    const pir = new EmulatedZigbeeDevice({ ieeeAddr: '0x00158d0000000008', modelID: 'MS01' });
    pir.linkquality = 207;
    pir.lastSeen = Date.parse('2026-11-24T01:59:58Z');
    const mapped = mapZ2mMessage('pir', null, (await pir.receive({ cluster: 'ssIasZone', type: 'commandStatusChangeNotification', data: { zonestatus: 1 } }))!, 'a', at);
    expect(mapped.linkQuality).toBe(207);
    expect(mapped.events.every((e) => e.rssi === undefined)).toBe(true);
    expect(mapped.events[0]!.ts.toISOString()).toBe('2026-11-24T01:59:58.000Z');
    expect(parseLastSeen(1_764_000_000_000)?.getTime()).toBe(1_764_000_000_000);
    expect(parseLastSeen('2026-11-24T09:59:58+08:00')?.toISOString()).toBe('2026-11-24T01:59:58.000Z');
  });

  test('event ids: a QoS 1 resend maps to the same id, another packet to another', () => {
    const a = z2mEventIdBase('hub/0x1', 'zigbee2mqtt/btn', '{"action":"single"}', 17, 1);
    expect(z2mEventIdBase('hub/0x1', 'zigbee2mqtt/btn', '{"action":"single"}', 17, 2)).toBe(a);
    expect(z2mEventIdBase('hub/0x1', 'zigbee2mqtt/btn', '{"action":"single"}', 18, 1)).not.toBe(a);
    expect(a.length).toBeLessThanOrEqual(40);
  });
});
