// Startup section of `npm run bench`: what a shell loop of cas commands pays per call.
// - `cas --version` against bare `node -e 0` (bar: ratio of medians <= 2.5);
// - `cas request` (a fresh home, start, handshake, one thread/list, close) against a minimal
//   client doing the same as one process, bench/one-request-client.mjs (bar: medians within 0.15 s).
// Each set rotates (A B C, B C A, ...) so the machine's drift falls on all alike; the wall time
// is the whole process, from spawn to exit. cas keeps its compiled code in a cache of the bench's
// own (CAS_COMPILE_CACHE), filled by the untimed first run as a shell loop's first call fills the
// user's; `cas request` with the cache off is timed too, for what the cache saves (no bar).
// Env: BENCH_STARTUP_RUNS (runs of each, default 21: a shared machine's spikes move a median of fewer).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveCodex } from '../dist/index.js';
import { CAS, ROOT } from './cas-child.mjs';
import { fmt, passFail, row } from './table.mjs';
import { envInt, median } from './numbers.mjs';

const VERSION_RATIO_BAR = 2.5;
const REQUEST_DIFFERENCE_BAR_S = 0.15;
const METHOD = 'thread/list';
const PARAMS = '{"limit":1}';



/** Runs `node ...args` to its end: the wall time from spawn to exit, its exit code and output. */
function timeNode(args, env = process.env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
    child.once('error', reject);
    child.once('close', (exitCode) => resolve({ seconds: (performance.now() - started) / 1000, exitCode, stdout, stderr }));
  });
}

/**
 * Times each of `starts` (functions returning a timeNode promise) `runs` times, rotating which
 * goes first, after one untimed run of each (file caches, cas's compile cache). `check(index,
 * result)` vets every output. Resolves one array of seconds per start.
 */
async function timeRotating(runs, starts, check) {
  for (const start of starts) await start();
  const times = starts.map(() => []);
  for (let run = 0; run < runs; run++) {
    for (let step = 0; step < starts.length; step++) {
      const index = (run + step) % starts.length;
      const result = await starts[index]();
      check(index, result);
      times[index].push(result.seconds);
    }
  }
  return times;
}

export async function benchStartup(ctx) {
  const runs = envInt('BENCH_STARTUP_RUNS', 21);
  const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const codex = resolveCodex({});
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'cas-bench-compile-cache-'));
  const withCache = { ...process.env, CAS_COMPILE_CACHE: cacheDir };
  const cacheOff = { ...process.env, CAS_COMPILE_CACHE: '0' };
  const expectOk = (label, valid) => (index, result) => {
    if (result.exitCode !== 0 || !valid(index, result.stdout)) ctx.warn(`startup ${label} (${index}): exit ${result.exitCode}, stdout ${JSON.stringify(result.stdout.slice(0, 200))}, stderr ${JSON.stringify(result.stderr.slice(0, 200))}`);
  };

  let versions;
  let requests;
  try {
    ctx.log(`startup: cas --version vs node -e 0, ${runs} runs each`);
    versions = await timeRotating(
      runs,
      [() => timeNode(['-e', '0']), () => timeNode([CAS, '--version'], withCache)],
      expectOk('--version', (index, stdout) => index === 0 || stdout.trim() === version),
    );

    ctx.log(`startup: cas request (compile cache on, off) vs a minimal client, ${runs} runs each`);
    const isPage = (stdout) => {
      try {
        return Array.isArray(JSON.parse(stdout).data);
      } catch {
        return false;
      }
    };
    const request = ['request', '--method', METHOD, '--params', PARAMS];
    requests = await timeRotating(
      runs,
      [
        () => timeNode([path.join(ROOT, 'bench', 'one-request-client.mjs'), JSON.stringify(codex), METHOD, PARAMS]),
        () => timeNode([CAS, ...request], withCache),
        () => timeNode([CAS, ...request], cacheOff),
      ],
      expectOk('request', (_index, stdout) => isPage(stdout)),
    );
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }

  const nodeMedian = median(versions[0]);
  const versionMedian = median(versions[1]);
  const ratio = versionMedian / nodeMedian;
  const clientMedian = median(requests[0]);
  const requestMedian = median(requests[1]);
  const difference = requestMedian - clientMedian;
  const uncachedDifference = median(requests[2]) - clientMedian;

  const widths = [28, 10, 10];
  const lines = [`Startup (wall time of the whole process, spawn to exit; ${runs} runs each, rotated; ${METHOD} ${PARAMS} on a fresh home)`];
  lines.push(row(['command', 'median s', 'min s', 'runs s'], [...widths, 0]));
  const line = (label, times) => row([label, fmt(median(times), 3), fmt(Math.min(...times), 3), times.map((t) => t.toFixed(2)).join(' ')], [...widths, 0]);
  lines.push(line('node -e 0', versions[0]));
  lines.push(line('cas --version', versions[1]));
  lines.push(line('minimal client, 1 request', requests[0]));
  lines.push(line('cas request', requests[1]));
  lines.push(line('cas request, cache off', requests[2]));
  lines.push(`cas --version / node -e 0: ${ratio.toFixed(2)}   bar <= ${VERSION_RATIO_BAR}   ${passFail(ratio <= VERSION_RATIO_BAR)}`);
  const signed = (seconds) => `${seconds >= 0 ? '+' : ''}${seconds.toFixed(3)} s`;
  lines.push(`cas request - minimal client: ${signed(difference)}   bar <= ${REQUEST_DIFFERENCE_BAR_S} s   ${passFail(difference <= REQUEST_DIFFERENCE_BAR_S)}`);
  lines.push(`cas request with its compile cache off - minimal client: ${signed(uncachedDifference)} (a first run, or a cache that cannot be written; no bar)`);
  return lines;
}
