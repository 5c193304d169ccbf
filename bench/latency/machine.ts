/** What a latency bench ran on and how busy it was: every result file records it. */
import * as os from 'node:os';

export interface MachineNote {
  host: string;
  cpu: string;
  cores: number;
  /** 1-, 5- and 15-minute load averages. */
  loadavg: number[];
  at: string;
}

export function machineNote(): MachineNote {
  return {
    host: os.hostname(),
    cpu: os.cpus()[0]?.model.trim() ?? '',
    cores: os.cpus().length,
    loadavg: os.loadavg().map((l) => +l.toFixed(2)),
    at: new Date().toISOString(),
  };
}

/** bench/latency/results/<name>-<UTC yyyymmdd-hhmm>.json */
export function resultName(name: string): string {
  return `${name}-${new Date().toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-')}.json`;
}
