// Startup section of `npm run bench`: what a shell loop of cas commands pays per call.
// - `cas --version` against bare `node -e 0` (bar: ratio of medians <= 2.5);
// - `cas request` (a fresh home, start, handshake, one thread/list, close) against a minimal
//   client doing the same as one process, bench/one-request-client.mjs (bar: medians within 0.15 s).
// Each pair alternates (A B, B A, ...) so the machine's drift falls on both alike; the wall time
// is the whole process, from spawn to exit. Env: BENCH_STARTUP_RUNS (runs of each, default 21: a shared machine's spikes move a median of fewer).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
function timeNode(args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
    child.once('error', reject);
    child.once('close', (exitCode) => resolve({ seconds: (performance.now() - started) / 1000, exitCode, stdout, stderr }));
  });
}

/**
 * Times `a` and `b` (each a function returning a timeNode promise) `runs` times each, alternating
 * which goes first, after one untimed run of each (file caches). `check` vets every output.
 */
async function timePair(runs, a, b, check) {
  await a();
  await b();
  const timesA = [];
  const timesB = [];
  for (let run = 0; run < runs; run++) {
    const order = run % 2 === 0 ? [[a, timesA, 'a'], [b, timesB, 'b']] : [[b, timesB, 'b'], [a, timesA, 'a']];
    for (const [start, times, side] of order) {
      const result = await start();
      check(side, result);
      times.push(result.seconds);
    }
  }
  return { a: timesA, b: timesB };
}

export async function benchStartup(ctx) {
  const runs = envInt('BENCH_STARTUP_RUNS', 21);
  const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const codex = resolveCodex({});
  const expectOk = (label, valid) => (side, result) => {
    if (result.exitCode !== 0 || !valid(side, result.stdout)) ctx.warn(`startup ${label} (${side}): exit ${result.exitCode}, stdout ${JSON.stringify(result.stdout.slice(0, 200))}, stderr ${JSON.stringify(result.stderr.slice(0, 200))}`);
  };

  ctx.log(`startup: cas --version vs node -e 0, ${runs} runs each`);
  const versions = await timePair(
    runs,
    () => timeNode(['-e', '0']),
    () => timeNode([CAS, '--version']),
    expectOk('--version', (side, stdout) => side === 'a' || stdout.trim() === version),
  );

  ctx.log(`startup: cas request vs a minimal client, ${runs} runs each`);
  const isPage = (stdout) => {
    try {
      return Array.isArray(JSON.parse(stdout).data);
    } catch {
      return false;
    }
  };
  const requests = await timePair(
    runs,
    () => timeNode([path.join(ROOT, 'bench', 'one-request-client.mjs'), JSON.stringify(codex), METHOD, PARAMS]),
    () => timeNode([CAS, 'request', '--method', METHOD, '--params', PARAMS]),
    expectOk('request', (_side, stdout) => isPage(stdout)),
  );

  const nodeMedian = median(versions.a);
  const versionMedian = median(versions.b);
  const ratio = versionMedian / nodeMedian;
  const clientMedian = median(requests.a);
  const requestMedian = median(requests.b);
  const difference = requestMedian - clientMedian;

  const widths = [28, 10, 10];
  const lines = [`Startup (wall time of the whole process, spawn to exit; ${runs} runs each, alternated; ${METHOD} ${PARAMS} on a fresh home)`];
  lines.push(row(['command', 'median s', 'min s', 'runs s'], [...widths, 0]));
  const line = (label, times) => row([label, fmt(median(times), 3), fmt(Math.min(...times), 3), times.map((t) => t.toFixed(2)).join(' ')], [...widths, 0]);
  lines.push(line('node -e 0', versions.a));
  lines.push(line('cas --version', versions.b));
  lines.push(line('minimal client, 1 request', requests.a));
  lines.push(line('cas request', requests.b));
  lines.push(`cas --version / node -e 0: ${ratio.toFixed(2)}   bar <= ${VERSION_RATIO_BAR}   ${passFail(ratio <= VERSION_RATIO_BAR)}`);
  lines.push(`cas request - minimal client: ${difference >= 0 ? '+' : ''}${difference.toFixed(3)} s   bar <= ${REQUEST_DIFFERENCE_BAR_S} s   ${passFail(difference <= REQUEST_DIFFERENCE_BAR_S)}`);
  return lines;
}
