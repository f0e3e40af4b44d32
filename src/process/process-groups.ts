import type { ProcReader } from './proc-reader.js';

/** What the processes of one group use now. */
export interface GroupUsage {
  /** CPU used by its live processes, with the children they have waited for, in clock ticks. */
  cpuTicks: number;
  rssBytes: number;
  /** Live processes in the group. */
  processes: number;
}

/**
 * Finds and reads the processes of process groups (an app-server and what it started, e.g.
 * git or a shell command). Each read lists /proc once, reads the stat of each group member,
 * and reads any other process only the first time it is seen, to learn its group: about one
 * small read per member per sample.
 */
export class ProcessGroups {
  readonly #reader: ProcReader;
  /** The group of every process seen: pid -> pgrp. */
  readonly #known = new Map<number, number>();

  constructor(reader: ProcReader) {
    this.#reader = reader;
  }

  /** The usage of each group led by one of `leaders` (a group id is its leader's pid); a group with no process left is absent. */
  read(leaders: readonly number[]): Map<number, GroupUsage> {
    const usage = new Map<number, GroupUsage>();
    if (leaders.length === 0) return usage;
    const groups = new Set(leaders);
    const pids = this.#reader.pids();
    // No process list (not Linux): nothing to read.
    if (pids === undefined) return usage;
    const live = new Set(pids);
    for (const pid of this.#known.keys()) if (!live.has(pid)) this.#known.delete(pid);
    for (const pid of pids) {
      const known = this.#known.get(pid);
      if (known !== undefined && !groups.has(known)) continue;
      const stat = this.#reader.stat(pid);
      if (stat === undefined) {
        this.#known.delete(pid);
        continue;
      }
      this.#known.set(pid, stat.pgrp);
      if (!groups.has(stat.pgrp)) continue;
      const group = usage.get(stat.pgrp) ?? { cpuTicks: 0, rssBytes: 0, processes: 0 };
      group.cpuTicks += stat.cpuTicks;
      group.rssBytes += stat.rssPages * this.#reader.pageSize;
      group.processes++;
      usage.set(stat.pgrp, group);
    }
    return usage;
  }

  /** The leader's peak resident memory (the kernel's high-water mark), in bytes, while it lives. */
  leaderPeakRssBytes(leader: number): number | undefined {
    return this.#reader.peakRssBytes(leader);
  }

  get ticksPerSecond(): number {
    return this.#reader.ticksPerSecond;
  }
}
