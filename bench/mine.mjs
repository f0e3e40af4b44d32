// Mining section of `npm run bench`:
// - time to list every thread of a 20,000-thread home with default settings (bar: under 10 s, all of them);
// - `cas mine --read` threads/s with 1 and 2 instances (bar: 2 instances at least 1.6 times one);
// - peak RSS of cas mining (--read) 2,000 and 20,000 threads (bar: under 200 MB, and flat).
//
// The homes are made by copying rollouts of threads made by real turns (real app-server, cas's
// loopback model) under fresh ids and times, with their paged history (test/helpers/home-copies.mjs;
// needs the sqlite3 tool), and cached in bench/.cache/ (BENCH_REBUILD=1 rebuilds them). They are
// built in place because the server stores absolute rollout paths. The first mine of a new home
// waits while the server indexes its rollouts (about 40 s for 20,000 on 2 cores).
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { copyHistory, copyRollouts, hasSqlite3 } from '../test/helpers/home-copies.mjs';
import { parseJsonOutput, reportPids, ROOT, runCasChild, stderrTail } from './cas-child.mjs';
import { forEachLine, readJsonFile } from './files.mjs';
import { fmt, passFail, row } from './table.mjs';

const CACHE = path.join(ROOT, 'bench', '.cache');
const TEMPLATE_THREADS = 40;
const SMALL = 2_000;
const LARGE = 20_000;
const LIST_BAR_S = 10;
const SPEEDUP_BAR = 1.6;
const RSS_BAR_MB = 200;
const RSS_GROWTH_BAR = 1.25;
const LIST_RUNS = 3;
const READ_RUNS = 3;
const CONCURRENCY = 8;

/**
 * Runs the mining section and returns its table lines.
 * @param {{tmp: string, log: (m: string) => void, warn: (m: string) => void, addPids: (pids: number[]) => void}} ctx
 */
export async function benchMine(ctx) {
  if (!(await hasSqlite3())) throw new Error('the mine bench needs the sqlite3 tool to give copied threads their history (apt-get install sqlite3)');
  const template = await ensureTemplate(ctx);
  const small = await ensureHome(ctx, template, SMALL);
  const large = await ensureHome(ctx, template, LARGE);

  // Listing every thread with the default settings, the whole process timed.
  const lists = [];
  for (let run = 1; run <= LIST_RUNS; run++) {
    ctx.log(`mine list ${LARGE} run ${run}/${LIST_RUNS}`);
    lists.push(await mineOnce(ctx, large.home, LARGE, []));
  }

  // --read with 1 and 2 instances, in rounds so drift hits both alike.
  const reads = new Map([[1, []], [2, []]]);
  for (let round = 1; round <= READ_RUNS; round++) {
    for (const instances of [1, 2]) {
      ctx.log(`mine --read ${SMALL}, ${instances} instance(s), run ${round}/${READ_RUNS}`);
      reads.get(instances).push(await mineOnce(ctx, small.home, SMALL, ['--read', '--instances', String(instances), '--concurrency', String(CONCURRENCY)]));
    }
  }

  // Peak RSS while reading every thread of each home (2 instances).
  ctx.log(`mine --read memory: ${SMALL} threads`);
  const rssSmall = await mineOnce(ctx, small.home, SMALL, ['--read', '--instances', '2'], { pollRss: true });
  ctx.log(`mine --read memory: ${LARGE} threads`);
  const rssLarge = await mineOnce(ctx, large.home, LARGE, ['--read', '--instances', '2'], { pollRss: true });

  return table({ small, large, lists, reads, rssSmall, rssLarge });
}

/** Threads made by real turns, to copy from. */
async function ensureTemplate(ctx) {
  const home = path.join(CACHE, 'mine-template');
  const marker = `${home}.json`;
  if (process.env.BENCH_REBUILD !== '1' && existsSync(marker)) return home;
  await rm(home, { recursive: true, force: true });
  await mkdir(CACHE, { recursive: true });
  ctx.log(`mine fixture: ${TEMPLATE_THREADS} threads by real turns in ${home}`);
  const child = await runCasChild([
    'run', '--instances', '2', '--method', 'turn/start', '--mock-model', '--fresh-thread', '--codex-home', home,
    '--requests', String(TEMPLATE_THREADS), '--concurrency', '4', '--codex-arg', '-c', '--codex-arg', 'features.shell_snapshot=false', '--json', '--no-progress',
  ]);
  const report = parseJsonOutput(child.stdout);
  if (report === null || report.requests.ok !== TEMPLATE_THREADS) throw new Error(`mine fixture: cas run made ${report?.requests.ok ?? 'no'} threads: ${stderrTail(child.stderr)}`);
  ctx.addPids(reportPids(report));
  await writeFile(marker, JSON.stringify({ threads: TEMPLATE_THREADS }));
  return home;
}

/** A home of `count` copied threads with their history, indexed by a first mine; cached. */
async function ensureHome(ctx, template, count) {
  const home = path.join(CACHE, `mine-home-${count}`);
  const marker = `${home}.json`;
  const cached = process.env.BENCH_REBUILD === '1' ? null : await readJsonFile(marker);
  if (cached?.threads === count) {
    ctx.log(`mine fixture: reusing ${home} (${count} threads)`);
    return { home, buildS: null, indexS: null };
  }
  await rm(home, { recursive: true, force: true });
  await rm(marker, { force: true });
  await mkdir(home);
  const started = performance.now();
  const copies = await copyRollouts({ from: template, to: home, count });
  await copyHistory({ from: template, to: home, copies });
  const buildS = (performance.now() - started) / 1000;
  ctx.log(`mine fixture: ${count} threads copied in ${buildS.toFixed(1)} s; first mine (the server indexes them)`);
  const first = await mineOnce(ctx, home, count, []);
  if (first.listed !== count) throw new Error(`mine fixture: the first mine of ${home} wrote ${first.listed} threads, not ${count}`);
  await writeFile(marker, JSON.stringify({ threads: count, builtAt: new Date().toISOString() }));
  return { home, buildS, indexS: first.wallS };
}

/** One `cas mine` of a home: wall time of the whole process, what its report says, and its peak RSS if asked. */
async function mineOnce(ctx, home, expected, args, { pollRss = false } = {}) {
  const out = path.join(ctx.tmp, 'mine.jsonl');
  const reportFile = path.join(ctx.tmp, 'mine-report.json');
  await Promise.all([out, `${out}.checkpoint`, reportFile].map((file) => rm(file, { force: true })));
  const child = await runCasChild(['mine', '--codex-home', home, '--out', out, '--report', reportFile, '--no-progress', ...args], { pollRss });
  const report = await readJsonFile(reportFile);
  if (report === null) throw new Error(`cas mine exited ${child.exitCode ?? child.signal} without a report: ${stderrTail(child.stderr)}`);
  ctx.addPids(reportPids(report));
  const label = `mine ${args.join(' ') || '(list)'} of ${expected}`;
  if (child.exitCode !== 0) ctx.warn(`${label}: exited ${child.exitCode ?? child.signal}: ${stderrTail(child.stderr)}`);
  const home0 = report.homes[0];
  if (home0?.threads !== expected) ctx.warn(`${label}: ${home0?.threads} threads written, expected ${expected}`);
  if (home0?.check?.agrees !== true) ctx.warn(`${label}: the listing check did not agree: ${JSON.stringify(home0?.check)}`);
  const lines = await forEachLine(out, () => undefined).catch(() => 0);
  if (lines !== expected) ctx.warn(`${label}: ${lines} lines in the output, expected ${expected}`);
  return {
    wallS: child.elapsedMs / 1000,
    listed: home0?.threads ?? 0,
    read: report.threads.read,
    threadsPerS: report.wallMs > 0 ? report.threads.read / (report.wallMs / 1000) : 0,
    peakMb: child.peakMb,
  };
}

function table({ small, large, lists, reads, rssSmall, rssLarge }) {
  const lines = [];
  const built = (fixture, count) => (fixture.buildS === null ? `${count}: cached` : `${count}: copied in ${fixture.buildS.toFixed(1)} s, indexed by the server's first start in ${fixture.indexS.toFixed(1)} s`);
  lines.push(`Mining (homes of threads copied from ${TEMPLATE_THREADS} made by real turns; ${built(small, SMALL)}; ${built(large, LARGE)})`);
  const best = Math.min(...lists.map((run) => run.wallS));
  const all = lists.every((run) => run.listed === LARGE);
  lines.push(`list every thread of ${LARGE}, default settings (cas mine --out, whole process): ${lists.map((run) => `${run.wallS.toFixed(2)} s`).join(' / ')}`);
  lines.push(`  best ${best.toFixed(2)} s, ${lists[0].listed} threads   bar < ${LIST_BAR_S} s and all ${LARGE}   ${passFail(best < LIST_BAR_S && all)}`);
  lines.push('');
  const widths = [10, 12, 24];
  lines.push(`cas mine --read, ${SMALL} threads, --concurrency ${CONCURRENCY} (threads/s = threads read / mine wall time; best of ${READ_RUNS})`);
  lines.push(row(['instances', 'threads/s', 'runs'], widths));
  const bestOf = (n) => Math.max(...reads.get(n).map((run) => run.threadsPerS));
  for (const n of [1, 2]) lines.push(row([n, fmt(bestOf(n)), reads.get(n).map((run) => run.threadsPerS.toFixed(0)).join(' / ')], widths));
  const speedUp = bestOf(1) > 0 ? bestOf(2) / bestOf(1) : 0;
  lines.push(`speed-up 2/1: ${speedUp.toFixed(2)}x   bar >= ${SPEEDUP_BAR}x   ${passFail(speedUp >= SPEEDUP_BAR)}`);
  lines.push('');
  const growth = rssSmall.peakMb !== null && rssLarge.peakMb !== null ? rssLarge.peakMb / rssSmall.peakMb : null;
  lines.push('Peak RSS of cas mining --read with 2 instances (VmHWM of the cas process)');
  lines.push(row(['threads', 'peak MB', 'threads/s'], widths));
  lines.push(row([SMALL, fmt(rssSmall.peakMb), fmt(rssSmall.threadsPerS)], widths));
  lines.push(row([LARGE, fmt(rssLarge.peakMb), fmt(rssLarge.threadsPerS)], widths));
  lines.push(`peak at ${LARGE}: ${fmt(rssLarge.peakMb)} MB   bar < ${RSS_BAR_MB} MB   ${rssLarge.peakMb === null ? 'n/a' : passFail(rssLarge.peakMb < RSS_BAR_MB)}`);
  lines.push(`growth ${LARGE}/${SMALL}: ${fmt(growth, 2)}   bar < ${RSS_GROWTH_BAR}   ${growth === null ? 'n/a' : passFail(growth < RSS_GROWTH_BAR)}`);
  lines.push(`(${os.availableParallelism()} CPUs, shared by the app-servers and cas)`);
  return lines;
}
