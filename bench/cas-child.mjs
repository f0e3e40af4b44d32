// Runs `node bin/cas <command> ...` as a direct child (no npx, no shell) so the child pid is the cas
// node process itself, and optionally samples its peak RSS (VmHWM) while it runs. Shared by every
// section of bench/run.mjs.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CAS = path.join(ROOT, 'bin', 'cas');
const POLL_MS = 100;
// cas children still running, so an interrupted bench can stop them (and their app-servers) first.
const live = new Set();

/** Peak RSS so far (VmHWM, monotonic) of a live process in kB, or null when /proc cannot tell. */
export function readVmHwmKb(pid) {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? null : Number(match[1]);
  } catch {
    return null; // no /proc, or the process is gone
  }
}

/**
 * Spawns `node bin/cas ...args` and resolves when it has exited, with its stdout (a Buffer), its
 * stderr, its exit code/signal, the wall time of the whole process and, with `pollRss`, the highest
 * VmHWM seen while polling every 100 ms. Never rejects on a non-zero exit: callers judge the output.
 * @param {string[]} args
 * @param {{pollRss?: boolean}} [options]
 * @returns {Promise<{stdout: Buffer, stderr: string, exitCode: number|null, signal: string|null,
 *                    elapsedMs: number, peakMb: number|null}>}
 */
export function runCasChild(args, { pollRss = false } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CAS, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    const stdout = [];
    let stderr = '';
    child.stdout.on('data', (chunk) => stdout.push(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    let peakKb = null;
    const poll = () => {
      const kb = readVmHwmKb(child.pid);
      if (kb !== null) peakKb = Math.max(peakKb ?? 0, kb);
    };
    const timer = pollRss ? setInterval(poll, POLL_MS) : undefined;
    if (pollRss) poll();
    child.once('error', (error) => {
      live.delete(child);
      clearInterval(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      live.delete(child);
      clearInterval(timer);
      resolve({
        stdout: Buffer.concat(stdout),
        stderr,
        exitCode: code,
        signal,
        elapsedMs: performance.now() - started,
        peakMb: peakKb === null ? null : peakKb / 1024,
      });
    });
  });
}

/** SIGTERMs the cas children still running (cas then closes its app-servers) and waits for them to exit. */
export async function stopCasChildren() {
  await Promise.all([...live].map((child) => new Promise((resolve) => {
    child.once('close', resolve);
    child.kill('SIGTERM');
  })));
}

/** The last `count` non-empty lines of a child's stderr, for a warning that says what went wrong. */
export function stderrTail(stderr, count = 5) {
  return stderr.trim().split('\n').filter(Boolean).slice(-count).join(' | ');
}

/** A child's stdout parsed as JSON (cas --json), or null when it printed no report. */
export function parseJsonOutput(stdout) {
  try {
    return JSON.parse(stdout.toString('utf8'));
  } catch {
    return null;
  }
}

/** The app-server pids a cas report names, to check later that none outlives the bench. */
export function reportPids(report) {
  return (report?.perInstance ?? []).map((instance) => instance.pid).filter((pid) => typeof pid === 'number');
}
