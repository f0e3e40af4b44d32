/**
 * Sends `signal` to the process group led by `pid` (a child spawned detached: its pid is its
 * group id); false when the group is gone. Never falls back to the pid alone, which may by now
 * belong to another process.
 */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}
