import { describe, expect, test } from 'vitest';
import { mapZ2mState, parseZ2mAvailability, parseZ2mTopic } from '../../domain/zigbee2mqtt-mapping.js';

const at = new Date('2026-11-24T02:00:00Z');
const map = (state: Record<string, unknown>) => mapZ2mState(state, 'p', at).map((e) => ({ type: e.type, value: e.value }));

describe('zigbee2mqtt → guardian events (DESIGN §2)', () => {
  test.each([
    [{ occupancy: true }, [{ type: 'motion', value: true }]],
    [{ occupancy: false }, [{ type: 'motion', value: false }]],
    [{ contact: false }, [{ type: 'door', value: 'open' }]],
    [{ contact: true }, [{ type: 'door', value: 'closed' }]],
    [{ water_leak: true }, [{ type: 'water_leak', value: true }]],
    [{ water_leak: false }, []],
    [{ action: 'emergency' }, [{ type: 'sos', value: undefined }]],
    [{ action: 'single' }, []],
    [{ fall_down_status: 'fall' }, [{ type: 'fall', value: undefined }]],
    [{ fall_status: 'fall_alarm' }, [{ type: 'fall', value: undefined }]],
    [{ fall_status: 'normal' }, []],
    [{ smoke: true }, [{ type: 'smoke', value: true }]],
    [{ gas: true }, [{ type: 'gas', value: true }]],
    [{ battery: 15 }, [{ type: 'battery', value: 15 }]],
    [{ linkquality: 120 }, [{ type: 'heartbeat', value: undefined }]],
  ])('%o', (state, expected) => {
    expect(map(state)).toEqual(expected);
  });

  test('battery and linkquality ride along on real events; ids are unique per message', () => {
    const events = mapZ2mState({ occupancy: true, contact: false, battery: 64, linkquality: 90 }, 'msg1', at);
    expect(events.map((e) => [e.id, e.type, e.battery, e.rssi])).toEqual([['msg1-0', 'motion', 64, 90], ['msg1-1', 'door', 64, 90]]);
  });

  test('topics: state, availability, and zigbee2mqtt internals ignored', () => {
    expect(parseZ2mTopic('zigbee2mqtt/bathroom_radar')).toEqual({ kind: 'state', friendlyName: 'bathroom_radar' });
    expect(parseZ2mTopic('zigbee2mqtt/living/pir/availability')).toEqual({ kind: 'availability', friendlyName: 'living/pir' });
    expect(parseZ2mTopic('zigbee2mqtt/bridge/state')).toEqual({ kind: 'ignored' });
    expect(parseZ2mTopic('zigbee2mqtt/lamp/set')).toEqual({ kind: 'ignored' });
    expect(parseZ2mTopic('guardian/v1/x/event')).toBeNull();
  });

  test('availability in both the legacy and the JSON form', () => {
    expect(parseZ2mAvailability('online')).toBe('online');
    expect(parseZ2mAvailability('{"state":"offline"}')).toBe('offline');
    expect(parseZ2mAvailability('maybe')).toBeNull();
  });
});
