import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';

/** What `/proc/<pid>/stat` says of one process. */
export interface ProcStat {
  pid: number;
  /** Its process group. */
  pgrp: number;
  /** When it started, in clock ticks after boot: tells a process from a later one with the same pid. */
  startTicks: number;
  /** CPU used, in clock ticks: its own (user + system) and that of the children it has waited for. */
  cpuTicks: number;
  /** Resident set, in pages. */
  rssPages: number;
}

/** Reads processes' figures; injected so tests can feed their own. */
export interface ProcReader {
  /** Every process id now, or undefined when there is no /proc to read (not Linux). */
  pids(): number[] | undefined;
  /** One read of `/proc/<pid>/stat`; undefined when the process is gone. */
  stat(pid: number): ProcStat | undefined;
  /** The process's peak resident memory in bytes (`VmHWM` of `/proc/<pid>/status`), when known. */
  peakRssBytes(pid: number): number | undefined;
  readonly pageSize: number;
  readonly ticksPerSecond: number;
}

/**
 * Parses a `/proc/<pid>/stat` line. The command name (field 2) may hold spaces and parentheses,
 * so the fields are counted from the last `)`.
 */
export function parseStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  const pid = Number.parseInt(text, 10);
  if (close < 0 || !Number.isInteger(pid)) return undefined;
  // Fields from 3 (state) on; field n is at index n - 3.
  const fields = text.slice(close + 2).split(' ');
  const field = (n: number) => Number(fields[n - 3]);
  const values = { pgrp: field(5), utime: field(14), stime: field(15), cutime: field(16), cstime: field(17), start: field(22), rss: field(24) };
  if (Object.values(values).some((value) => !Number.isFinite(value))) return undefined;
  return {
    pid,
    pgrp: values.pgrp,
    startTicks: values.start,
    cpuTicks: values.utime + values.stime + values.cutime + values.cstime,
    rssPages: Math.max(0, values.rss),
  };
}

/** A `kB` line of `/proc/<pid>/status` (`VmHWM:    12345 kB`), in bytes. */
export function parseStatusKb(text: string, name: string): number | undefined {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(text);
  return match === null ? undefined : Number(match[1]) * 1024;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'latin1');
  } catch {
    return undefined;
  }
}

/** The kernel's page size, from the first mapping of `/proc/self/smaps` (Node has no sysconf); 4096 when unknown. */
function pageSizeOf(root: string): number {
  let fd: number | undefined;
  try {
    fd = openSync(path.join(root, 'self', 'smaps'), 'r');
    const buffer = Buffer.alloc(4096);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    const kb = parseStatusKb(buffer.toString('latin1', 0, length), 'KernelPageSize');
    return kb ?? 4096;
  } catch {
    return 4096;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Reads Linux's /proc: small synchronous reads of files the kernel makes on demand (no disk).
 * Clock ticks are USER_HZ, 100 on every Linux ABI.
 */
export function linuxProcReader(root = '/proc'): ProcReader {
  const pageSize = pageSizeOf(root);
  return {
    pageSize,
    ticksPerSecond: 100,
    pids() {
      try {
        return readdirSync(root).flatMap((name) => (name.charCodeAt(0) >= 48 && name.charCodeAt(0) <= 57 ? [Number(name)] : []));
      } catch {
        return undefined;
      }
    },
    stat(pid) {
      const text = readText(path.join(root, String(pid), 'stat'));
      return text === undefined ? undefined : parseStat(text);
    },
    peakRssBytes(pid) {
      const text = readText(path.join(root, String(pid), 'status'));
      return text === undefined ? undefined : parseStatusKb(text, 'VmHWM');
    },
  };
}
