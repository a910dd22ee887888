/** A broker under test, running in its own process so its CPU and RSS are its own. */
export interface BrokerTarget {
  /** "guardian gateway", "raw aedes 1.2.0", "mosquitto 2.0.11" */
  name: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
}
