import * as zhc from 'zigbee-herdsman-converters';

/**
 * Device payloads made by zigbee-herdsman-converters itself (issue 18 item 5): a Zigbee cluster
 * message goes through the real device definition's fromZigbee converters, and the result is
 * merged into a cached state the way zigbee2mqtt 2.x publishes it (lib/controller.ts
 * publishEntityState with cache_state on: the whole cached state, plus linkquality and
 * last_seen; lib/state.ts keeps `action` and friends out of the cache). No hand-written JSON.
 */
export interface FakeDevice {
  ieeeAddr: string;
  modelID: string;
  manufacturerName?: string;
  powerSource?: string;
}

export interface ZigbeeMessage {
  cluster: string;
  type: string;
  data: Record<string, unknown>;
  endpoint?: number;
  linkquality?: number;
}

/** zigbee2mqtt's state.ts does not cache these: they describe one event, not a state. */
const NOT_CACHED = [/^action$/, /^action_.*$/, /^button$/, /^button_left$/, /^button_right$/, /^forgotten$/, /^keyerror$/,
  /^step_size$/, /^transition_time$/, /^group_list$/, /^group_capacity$/, /^no_occupancy_since$/, /^step_mode$/];

export class EmulatedZigbeeDevice {
  private cache: Record<string, unknown> = {};
  private readonly zh: Record<string, unknown>;
  private definition: zhc.Definition | undefined;
  linkquality = 120;
  private seq = 0;
  lastSeen: number | null = null;

  constructor(readonly spec: FakeDevice) {
    const endpoints: Record<string, unknown>[] = [];
    const zh: Record<string, unknown> = {
      ieeeAddr: spec.ieeeAddr, modelID: spec.modelID, manufacturerName: spec.manufacturerName,
      powerSource: spec.powerSource ?? 'Battery', type: 'EndDevice', networkAddress: 0x1234,
      interviewCompleted: true, interviewState: 'SUCCESSFUL', meta: {}, endpoints,
      getEndpoint: (id: number) => endpoints.find((e) => e.ID === id),
      save: () => {},
      customClusters: {},
    };
    for (const id of [1, 2]) {
      endpoints.push({
        ID: id, deviceIeeeAddress: spec.ieeeAddr, inputClusters: [], outputClusters: [], clusters: {}, meta: {},
        getDevice: () => zh, read: async () => ({}), write: async () => {}, command: async () => {}, bind: async () => {},
        configureReporting: async () => {}, saveClusterAttributeKeyValue: () => {}, getClusterAttributeValue: () => undefined,
      });
    }
    this.zh = zh;
  }

  async load(): Promise<zhc.Definition> {
    this.definition ??= await zhc.findByDevice(this.zh as never);
    if (!this.definition) throw new Error(`no definition in zigbee-herdsman-converters for ${this.spec.modelID}`);
    return this.definition;
  }

  /** What zigbee2mqtt's bridge/devices says about this device. */
  async bridgeEntry(friendlyName: string): Promise<Record<string, unknown>> {
    const d = await this.load();
    return {
      ieee_address: this.spec.ieeeAddr, type: 'EndDevice', network_address: 0x1234, supported: true,
      friendly_name: friendlyName, disabled: false, description: null,
      definition: { model: d.model, vendor: d.vendor, description: d.description, exposes: d.exposes, supports_ota: false, options: [] },
      power_source: this.spec.powerSource ?? 'Battery', model_id: this.spec.modelID, manufacturer: this.spec.manufacturerName,
      interview_completed: true, interview_state: 'SUCCESSFUL', endpoints: {},
    };
  }

  /**
   * Runs the definition's fromZigbee converters on one message; returns the JSON zigbee2mqtt
   * publishes on `<base>/<name>`, or null when the converters produced nothing.
   */
  async receive(msg: ZigbeeMessage): Promise<Record<string, unknown> | null> {
    const def = await this.load();
    const converters = def.fromZigbee.filter((c) => c.cluster === msg.cluster && (Array.isArray(c.type) ? c.type.includes(msg.type as never) : c.type === msg.type));
    if (converters.length === 0) throw new Error(`${def.model} has no fromZigbee converter for ${msg.cluster}/${msg.type}`);
    const endpoint = (this.zh.getEndpoint as (id: number) => unknown)(msg.endpoint ?? 1);
    let payload: Record<string, unknown> = {};
    const published: Record<string, unknown>[] = [];
    const meta = { device: this.zh, state: { ...this.cache }, logger: console, deviceExposesChanged: () => {} };
    for (const c of converters) {
      const out = await c.convert(def, {
        ...msg, endpoint, device: this.zh, groupID: 0, linkquality: msg.linkquality ?? this.linkquality,
        meta: { zclTransactionSequenceNumber: (this.seq = (this.seq + 1) % 256), manufacturerCode: undefined, frameControl: {} },
      } as never, (p: Record<string, unknown>) => { published.push(p); }, {}, meta as never);
      if (out) payload = { ...payload, ...(out as Record<string, unknown>) };
    }
    for (const p of published) payload = { ...payload, ...p };
    if (Object.keys(payload).length === 0) return null;
    zhc.postProcessConvertedFromZigbeeMessage(def, payload, {}, this.zh as never);
    return this.publishState(payload, msg.linkquality);
  }

  /** zigbee2mqtt's publishEntityState: the merged cached state with linkquality (and last_seen when set). */
  publishState(payload: Record<string, unknown>, linkquality?: number): Record<string, unknown> {
    const message = { ...this.cache, ...payload };
    for (const [k, v] of Object.entries(payload)) if (!NOT_CACHED.some((re) => re.test(k))) this.cache[k] = v;
    if (this.lastSeen !== null) message.last_seen = new Date(this.lastSeen).toISOString();
    message.linkquality = linkquality ?? this.linkquality;
    return message;
  }

  /** A resend: zigbee2mqtt publishes the whole cached state again (e.g. a `lastSeenChanged`). */
  resend(): Record<string, unknown> {
    return this.publishState({});
  }
}

/** A Tuya datapoint report (manuSpecificTuya commandDataReport) as zigbee-herdsman parses it. */
let tuyaSeq = 0;
export function tuyaDatapoints(dps: Array<{ dp: number; datatype: number; data: number[] }>): ZigbeeMessage {
  return {
    cluster: 'manuSpecificTuya', type: 'commandDataReport',
    data: { seq: ++tuyaSeq, dpValues: dps.map((d) => ({ dp: d.dp, datatype: d.datatype, data: Buffer.from(d.data) })) },
  };
}
