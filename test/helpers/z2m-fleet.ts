import * as zhc from 'zigbee-herdsman-converters';
import type { DeviceKind } from '../../domain/device-kinds.js';
import { EmulatedZigbeeDevice, tuyaDatapoints, type ZigbeeMessage } from './z2m-converters.js';

zhc.setLogger({ debug() {}, info() {}, warning() {}, error() {} });

/**
 * The device families of issue 18, each a real zigbee-herdsman-converters definition found by
 * the identifiers the device announces, with the Zigbee cluster messages that make it report
 * its emergency (or sign of life) and a calm reading to come back to.
 */
export interface FleetDevice {
  name: string;
  kind: DeviceKind;
  spec: ConstructorParameters<typeof EmulatedZigbeeDevice>[0];
  /** The message that should become `expect` (an event type). */
  trigger: ZigbeeMessage;
  expect: { type: string; value?: unknown };
  /** A message that returns the device to calm (no event expected from it). */
  calm?: ZigbeeMessage;
}

const ias = (zonestatus: number): ZigbeeMessage => ({ cluster: 'ssIasZone', type: 'commandStatusChangeNotification', data: { zonestatus, extendedstatus: 0, zoneID: 1, delay: 0 } });
let n = 0;
const ieee = () => `0x00158d0000${(0xa000 + ++n).toString(16)}00`.slice(0, 18);

export function fleet(): FleetDevice[] {
  n = 0;
  return [
    { name: 'heiman_hs1eb', kind: 'sos_button', spec: { ieeeAddr: ieee(), modelID: 'SOS-EM', manufacturerName: 'HEIMAN' },
      trigger: ias(1), expect: { type: 'sos', value: 'single' } },
    { name: 'sonoff_snzb01', kind: 'sos_button', spec: { ieeeAddr: ieee(), modelID: 'WB01' },
      trigger: { cluster: 'genOnOff', type: 'commandOff', data: {} }, expect: { type: 'sos', value: 'long' } },
    { name: 'aqara_wxkg11lm', kind: 'pull_cord', spec: { ieeeAddr: ieee(), modelID: 'lumi.sensor_switch.aq2' },
      trigger: { cluster: 'genMultistateInput', type: 'attributeReport', data: { presentValue: 2 } }, expect: { type: 'sos', value: 'double' } },
    { name: 'feibit_ias_sos', kind: 'sos_button', spec: { ieeeAddr: ieee(), modelID: 'FNB56-SOS03FB1.5' },
      trigger: ias(2), expect: { type: 'sos', value: 'sos' }, calm: ias(0) },
    { name: 'aqara_fp1', kind: 'pir', spec: { ieeeAddr: ieee(), modelID: 'lumi.motion.ac01', powerSource: 'Mains (single phase)' },
      trigger: { cluster: 'manuSpecificLumi', type: 'attributeReport', data: { 322: 1 } }, expect: { type: 'presence', value: true },
      calm: { cluster: 'manuSpecificLumi', type: 'attributeReport', data: { 322: 0 } } },
    { name: 'aqara_fp1e', kind: 'pir', spec: { ieeeAddr: ieee(), modelID: 'lumi.sensor_occupy.agl1', powerSource: 'Mains (single phase)' },
      trigger: { cluster: 'manuSpecificLumi', type: 'attributeReport', data: { 352: 3 } }, expect: { type: 'motion', value: true },
      calm: { cluster: 'manuSpecificLumi', type: 'attributeReport', data: { 352: 4 } } },
    { name: 'tuya_radar', kind: 'fall_radar', spec: { ieeeAddr: ieee(), modelID: 'TS0601', manufacturerName: '_TZE200_lu01t0zl', powerSource: 'Mains (single phase)' },
      trigger: tuyaDatapoints([{ dp: 116, datatype: 4, data: [2] }]), expect: { type: 'fall', value: 'fall' },
      calm: tuyaDatapoints([{ dp: 116, datatype: 4, data: [0] }]) },
    { name: 'owon_fds315', kind: 'fall_radar', spec: { ieeeAddr: ieee(), modelID: 'FDS315', powerSource: 'Mains (single phase)' },
      trigger: { cluster: 'fallDetectionOwon', type: 'attributeReport', data: { status: 5 } }, expect: { type: 'fall', value: 'falling' },
      calm: { cluster: 'fallDetectionOwon', type: 'attributeReport', data: { status: 1 } } },
    { name: 'heiman_co', kind: 'gas_detector', spec: { ieeeAddr: ieee(), modelID: 'COSensor-EM' },
      trigger: ias(1), expect: { type: 'gas', value: 'carbon_monoxide' }, calm: ias(0) },
    { name: 'heiman_smoke', kind: 'smoke_detector', spec: { ieeeAddr: ieee(), modelID: 'SmokeSensor-EM' },
      trigger: ias(1), expect: { type: 'smoke', value: true }, calm: ias(0) },
    { name: 'heiman_gas', kind: 'gas_detector', spec: { ieeeAddr: ieee(), modelID: 'RH3070' },
      trigger: ias(1), expect: { type: 'gas', value: true }, calm: ias(0) },
    { name: 'heiman_leak', kind: 'leak_sensor', spec: { ieeeAddr: ieee(), modelID: 'WaterSensor-N' },
      trigger: ias(1), expect: { type: 'water_leak', value: true }, calm: ias(0) },
    { name: 'aqara_door', kind: 'door_contact', spec: { ieeeAddr: ieee(), modelID: 'lumi.sensor_magnet.aq2' },
      trigger: { cluster: 'genOnOff', type: 'attributeReport', data: { onOff: 1 } }, expect: { type: 'door', value: 'open' },
      calm: { cluster: 'genOnOff', type: 'attributeReport', data: { onOff: 0 } } },
    { name: 'sonoff_pir', kind: 'pir', spec: { ieeeAddr: ieee(), modelID: 'MS01' },
      trigger: ias(1), expect: { type: 'motion', value: true }, calm: ias(0) },
  ];
}

export { EmulatedZigbeeDevice, tuyaDatapoints };
