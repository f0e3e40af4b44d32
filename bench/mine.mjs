// Mining section of `npm run bench`: threads/s of `cas mine --read` over one home of 1,000 real
// threads with 1, 2 and 4 instances, and the speed-up over 1 instance.
//
// The fixture home is made by real turns of the real app-server against cas's loopback model and
// cached in bench/.cache/mine-home-1000/ (BENCH_REBUILD=1 forces a rebuild). It is built in place
// because the server stores absolute rollout paths: a home moved after the fact would not read.
import os from 'node:os';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { parseJsonOutput, reportPids, ROOT, runCasChild, stderrTail } from './cas-child.mjs';
import { forEachLine, readJsonFile } from './files.mjs';
import { fmt, row } from './table.mjs';

const THREADS = 1000;
const CACHE_HOME = path.join(ROOT, 'bench', '.cache', `mine-home-${THREADS}`);
const INSTANCE_COUNTS = [1, 2, 4];
/** Listing the server's way (scan rollouts, oldest first: slow pages, one after another) and from its index. */
const LIST_MODES = [
  { name: 'scan', args: [], describe: 'pages scan every rollout' },
  { name: 'state-db-only', args: ['--state-db-only'], describe: "pages from the server's SQLite index" },
];
const RUNS_EACH = 2;
const CONCURRENCY = 8;
const FIXTURE_INSTANCES = 2;
const FIXTURE_CONCURRENCY = 4;

/**
 * Runs the mining section and returns its table lines.
 * @param {{tmp: string, log: (m: string) => void, warn: (m: string) => void, addPids: (pids: number[]) => void}} ctx
 */
export async function benchMine(ctx) {
  const fixture = await ensureFixture(ctx);
  const lines = [];
  for (const mode of LIST_MODES) {
    const best = new Map(INSTANCE_COUNTS.map((n) => [n, []]));
    // Rounds of 1, 2, 4 instances rather than 1, 1, 2, 2, ... so drift hits every count alike.
    for (let round = 1; round <= RUNS_EACH; round++) {
      for (const instances of INSTANCE_COUNTS) {
        ctx.log(`mine (${mode.name}) run ${round}/${RUNS_EACH}: ${instances} instance(s)`);
        const run = await mineOnce(ctx, fixture.home, instances, mode.args);
        if (run !== null) best.get(instances).push(run);
      }
    }
    if (lines.length > 0) lines.push('');
    lines.push(...mineTable(fixture, best, mode));
  }
  lines.push(`(${os.availableParallelism()} CPUs: the app-servers and cas share them; once they are busy, more instances cannot go faster)`);
  return lines;
}

/** The cached 1,000-thread home, reused when `cas mine` lists exactly 1,000 threads in it, else rebuilt. */
async function ensureFixture(ctx) {
  const rebuild = process.env.BENCH_REBUILD === '1';
  if (!rebuild && existsSync(CACHE_HOME)) {
    const listed = await countListed(ctx, CACHE_HOME);
    if (listed === THREADS) {
      ctx.log(`mine fixture: reusing ${CACHE_HOME} (${listed} threads)`);
      return { home: CACHE_HOME, buildMs: null };
    }
    ctx.log(`mine fixture: ${CACHE_HOME} lists ${listed ?? 'no'} threads, not ${THREADS}; rebuilding`);
  }
  return buildFixture(ctx);
}

/** Makes the home with `cas run turn/start --fresh-thread --mock-model`: one persisted thread per request. */
async function buildFixture(ctx) {
  await rm(CACHE_HOME, { recursive: true, force: true }); // a fresh (missing) home gets the mock provider config
  await mkdir(path.dirname(CACHE_HOME), { recursive: true });
  ctx.log(`mine fixture: building ${THREADS} threads in ${CACHE_HOME} (real turns on the loopback model, ~1-2 min)`);
  const child = await runCasChild([
    'run', '--instances', String(FIXTURE_INSTANCES), '--method', 'turn/start', '--mock-model', '--fresh-thread',
    '--codex-home', CACHE_HOME, '--requests', String(THREADS), '--concurrency', String(FIXTURE_CONCURRENCY),
    '--codex-arg', '-c', '--codex-arg', 'features.shell_snapshot=false', '--json', '--no-progress',
  ]);
  const report = parseJsonOutput(child.stdout);
  if (report === null) throw new Error(`mine fixture: cas run exited ${child.exitCode ?? child.signal} without a report: ${stderrTail(child.stderr)}`);
  ctx.addPids(reportPids(report));
  ctx.log(`mine fixture: built in ${(child.elapsedMs / 1000).toFixed(1)} s (requests ok ${report.requests.ok}/${report.requests.total})`);
  if (report.requests.ok !== THREADS) {
    ctx.warn(`mine fixture: cas run turn/start ok ${report.requests.ok} of ${THREADS} (errors ${JSON.stringify(report.errors)})`);
  }
  if (child.exitCode !== 0) ctx.warn(`mine fixture: cas run exited ${child.exitCode ?? child.signal}: ${stderrTail(child.stderr)}`);
  const listed = await countListed(ctx, CACHE_HOME);
  if (listed !== THREADS) ctx.warn(`mine fixture: cas mine lists ${listed ?? 'no'} threads in the new home, not ${THREADS}; the next bench will rebuild it`);
  return { home: CACHE_HOME, buildMs: child.elapsedMs };
}

/** Threads `cas mine` (without --read) lists in a home, or null when it produced no report. */
async function countListed(ctx, home) {
  const out = path.join(ctx.tmp, 'mine-list.jsonl');
  const reportFile = path.join(ctx.tmp, 'mine-list.json');
  await removeMineOutputs(out, reportFile);
  const child = await runCasChild(['mine', '--codex-home', home, '--out', out, '--report', reportFile, '--no-progress']);
  const report = await readJsonFile(reportFile);
  if (report === null) {
    ctx.log(`mine fixture: cas mine exited ${child.exitCode ?? child.signal} without a report: ${stderrTail(child.stderr)}`);
    return null;
  }
  ctx.addPids(reportPids(report));
  return report.threads.listed;
}

/** One `cas mine --read` run with N instances: its threads/s, or null (and a warning) when it gave no report. */
async function mineOnce(ctx, home, instances, extraArgs) {
  const label = `mine ${instances} instance(s)`;
  const out = path.join(ctx.tmp, `mine-${instances}.jsonl`);
  const reportFile = path.join(ctx.tmp, `mine-${instances}.json`);
  await removeMineOutputs(out, reportFile); // each run starts clean rather than over the previous round's files
  const child = await runCasChild([
    'mine', '--codex-home', home, '--read', '--instances', String(instances), '--concurrency', String(CONCURRENCY),
    '--out', out, '--report', reportFile, '--no-progress', ...extraArgs,
  ]);
  const report = await readJsonFile(reportFile);
  if (report === null) {
    ctx.warn(`${label}: cas mine exited ${child.exitCode ?? child.signal} without a report: ${stderrTail(child.stderr)}`);
    return null;
  }
  ctx.addPids(reportPids(report));
  checkMineReport(ctx, label, report, child, instances);
  const { lines, distinct } = await countThreadIds(out);
  if (lines !== THREADS || distinct !== THREADS) ctx.warn(`${label}: output has ${lines} lines, ${distinct} distinct thread.id (expected ${THREADS} and ${THREADS})`);
  return { threadsPerS: report.wallMs > 0 ? report.threads.read / (report.wallMs / 1000) : 0, wallMs: report.wallMs };
}

/** Warns about anything in a mine report that makes its figure suspect. */
function checkMineReport(ctx, label, report, child, instances) {
  if (child.exitCode !== 0) ctx.warn(`${label}: cas mine exited ${child.exitCode ?? child.signal}: ${stderrTail(child.stderr)}`);
  if (report.instances.started !== instances) ctx.warn(`${label}: ${report.instances.started}/${instances} instances started`);
  if (report.requests.failed !== 0) ctx.warn(`${label}: ${report.requests.failed} requests failed (${JSON.stringify(report.errors)})`);
  if (report.homes[0]?.threads !== THREADS) ctx.warn(`${label}: homes[0].threads ${report.homes[0]?.threads}, expected ${THREADS}`);
  if (report.threads.read !== THREADS) ctx.warn(`${label}: threads.read ${report.threads.read}, expected ${THREADS}`);
}

/** Lines and distinct `thread.id`s of a mine output, to catch lost or duplicated threads. */
async function countThreadIds(file) {
  const ids = new Set();
  let lines = 0;
  try {
    lines = await forEachLine(file, (line) => {
      try {
        const id = JSON.parse(line)?.thread?.id;
        if (typeof id === 'string') ids.add(id);
      } catch {
        // an unparsable line counts as a line without an id
      }
    });
  } catch {
    // no output file: 0 lines
  }
  return { lines, distinct: ids.size };
}

/** Removes a previous run's output, checkpoint and report so a missing file means this run wrote none. */
async function removeMineOutputs(out, reportFile) {
  await Promise.all([out, `${out}.checkpoint`, reportFile].map((file) => rm(file, { force: true })));
}

/** The table: instances, best threads/s of the runs, speed-up over 1 instance. */
function mineTable(fixture, runs, mode) {
  const lines = [];
  const built = fixture.buildMs === null ? 'cached' : `built in ${(fixture.buildMs / 1000).toFixed(1)} s`;
  lines.push(`Mining (cas mine --read ${mode.args.join(' ')}${mode.args.length ? ' ' : ''}[${mode.describe}], ${THREADS} threads in one home, --concurrency ${CONCURRENCY}; threads/s = threads.read / request phase, best of ${RUNS_EACH} runs)`);
  lines.push(`fixture: ${fixture.home} (${built})`);
  const widths = [10, 12, 10, 20];
  lines.push(row(['instances', 'threads/s', 'speed-up', `runs (threads/s)`], widths));
  const bestOf = (n) => (runs.get(n).length === 0 ? null : Math.max(...runs.get(n).map((r) => r.threadsPerS)));
  const base = bestOf(INSTANCE_COUNTS[0]);
  for (const n of INSTANCE_COUNTS) {
    const value = bestOf(n);
    const speedUp = value === null || base === null || base === 0 ? null : value / base;
    const all = runs.get(n).map((r) => r.threadsPerS.toFixed(1)).join(' / ') || 'n/a';
    lines.push(row([n, fmt(value), speedUp === null ? 'n/a' : `${speedUp.toFixed(2)}x`, all], widths));
  }
  return lines;
}
