/** A broker under test, running in its own process so its CPU and RSS are its own. */
export interface BrokerTarget {
  /** "guardian gateway", "raw aedes 1.2.0", "mosquitto 2.0.11" */
  name: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
  /** A full GC in the broker process; resolves with its live heap in bytes (our Node children; not Mosquitto). */
  collectGarbage?(): Promise<number | null>;
}
