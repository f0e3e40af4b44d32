// `npm run bench`: cas throughput against a minimal reference client, and cas's peak memory;
// then mining a 20,000-thread home: listing time, `--read` threads/s with 1 and 2 instances and
// peak memory (bench/mine.mjs), and `cas batch` lines/s and peak memory as the input grows
// (bench/batch.mjs); shards of `cas run` merged against one run, and `cas merge` time and memory
// over many reports and big outputs (bench/merge.mjs); stdio, WebSocket and Unix-socket instances
// side by side, and opening 64 connections to one server (bench/transports.mjs); start-up: `cas
// --version` against bare node, `cas request` against a minimal one-request client (bench/startup.mjs).
// Prints figures and PASS/FAIL next to each bar; never exits non-zero on FAIL (it is not a test).
//
// Env overrides for quick trials: BENCH_ONLY (sections to run, comma list of run, mine, batch, merge, transports, startup;
// default all), BENCH_REQUESTS (throughput runs, default 20000), BENCH_RUNS (runs per client,
// default 5), BENCH_MEMORY_REQUESTS (large memory run, default 200000), BENCH_REBUILD=1 (rebuild
// the cached mining homes in bench/.cache/).
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveCodex } from '../dist/index.js';
import { benchBatch } from './batch.mjs';
import { parseJsonOutput, reportPids, runCasChild, stopCasChildren } from './cas-child.mjs';
import { benchMerge } from './merge.mjs';
import { benchMine } from './mine.mjs';
import { benchStartup } from './startup.mjs';
import { benchTransports } from './transports.mjs';
import { runReference } from './reference-client.mjs';
import { fmt, passFail, row } from './table.mjs';
import { envInt, median } from './numbers.mjs';

const INSTANCES = 2;
const CONCURRENCY = 32;
const METHOD = 'thread/list';
const PARAMS = { limit: 1 };
const REQUESTS = envInt('BENCH_REQUESTS', 20000);
const RUNS = envInt('BENCH_RUNS', 5);
const MEMORY_SMALL = 20000;
const MEMORY_LARGE = envInt('BENCH_MEMORY_REQUESTS', 200000);

const THROUGHPUT_BAR = 0.9;
const RSS_BAR_MB = 150;
const GROWTH_BAR = 1.25;
/** Sampling the servers must cost cas under this share of one core. */
const SAMPLING_BAR_PCT = 1;


const log = (message) => process.stderr.write(`bench: ${message}\n`);

/**
 * Runs `node bin/cas run ...` directly (no npx, no shell) so the child pid is the cas node process,
 * and returns its parsed JSON report plus, if asked, the highest VmHWM seen while polling.
 */
async function runCas(requests, { pollRss = false } = {}) {
  const args = [
    'run',
    '--instances', String(INSTANCES),
    '--method', METHOD,
    '--params', JSON.stringify(PARAMS),
    '--requests', String(requests),
    '--concurrency', String(CONCURRENCY),
    '--json', '--no-progress',
  ];
  const child = await runCasChild(args, { pollRss });
  // cas exits 1 when some requests failed but still prints its report; only a missing report is fatal.
  const report = parseJsonOutput(child.stdout);
  if (report === null) throw new Error(`cas exited ${child.exitCode ?? child.signal} without a JSON report:\n${child.stderr.trim()}`);
  return { report, exitCode: child.exitCode, peakMb: child.peakMb };
}

const warnings = [];
// Every app-server pid either client started, to check that none outlives the bench.
const serverPids = [];

/** Warns when a cas run did not complete every request (or exited with an error). */
function checkCasRun(label, { report, exitCode }) {
  const { requests } = report;
  if (requests.ok !== requests.total) warnings.push(`${label}: requests.ok ${requests.ok} != requests.total ${requests.total} (failed ${requests.failed})`);
  if (exitCode !== 0) warnings.push(`${label}: cas exited ${exitCode}`);
  if (report.instances.started !== INSTANCES) warnings.push(`${label}: ${report.instances.started}/${INSTANCES} instances started`);
  serverPids.push(...reportPids(report));
}

/** App-server pids still alive (checking the command line, in case a pid was reused). */
function survivors() {
  return serverPids.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('app-server');
    } catch {
      return false;
    }
  });
}

/** The throughput and memory section: cas run against the reference client, then cas's peak RSS. */
async function benchRun() {
  const codex = resolveCodex({});
  log(`codex ${codex.path} (${codex.source}); ${RUNS} runs x ${REQUESTS} requests per client, ${INSTANCES} instances x ${CONCURRENCY} in flight`);

  // --- Throughput: alternate ref, cas, ref, cas... so drift (thermal, other load) hits both alike.
  const refRuns = [];
  const casRuns = [];
  for (let run = 1; run <= RUNS; run++) {
    log(`throughput run ${run}/${RUNS}: reference`);
    const ref = await runReference({ codex, instances: INSTANCES, requests: REQUESTS, inFlight: CONCURRENCY, method: METHOD, params: PARAMS });
    serverPids.push(...ref.pids);
    if (ref.ok !== REQUESTS) warnings.push(`reference run ${run}: ok ${ref.ok} of ${REQUESTS} (errors ${ref.errors})`);
    refRuns.push(ref);

    log(`throughput run ${run}/${RUNS}: cas`);
    const cas = await runCas(REQUESTS);
    checkCasRun(`cas throughput run ${run}`, cas);
    if (cas.report.codex.path !== codex.path) warnings.push(`cas ran ${cas.report.codex.path}, the reference ran ${codex.path}`);
    casRuns.push(cas.report);
  }

  // --- Memory: peak RSS of the cas node process at two request counts; it must not grow with the count.
  log(`memory run: cas ${MEMORY_SMALL} requests`);
  const small = await runCas(MEMORY_SMALL, { pollRss: true });
  checkCasRun(`cas memory run ${MEMORY_SMALL}`, small);
  log(`memory run: cas ${MEMORY_LARGE} requests`);
  const large = await runCas(MEMORY_LARGE, { pollRss: true });
  checkCasRun(`cas memory run ${MEMORY_LARGE}`, large);

  // --- Report lines.
  const refRps = refRuns.map((r) => r.rps);
  const casRps = casRuns.map((r) => r.throughputRps);
  const refMedian = median(refRps);
  const casMedian = median(casRps);
  const ratio = refMedian > 0 ? casMedian / refMedian : 0;
  const growth = small.peakMb !== null && large.peakMb !== null && small.peakMb > 0 ? large.peakMb / small.peakMb : null;

  const lines = [];
  lines.push(`cas bench: ${METHOD} ${JSON.stringify(PARAMS)}, ${INSTANCES} instances x ${CONCURRENCY} in flight, codex ${codex.path}`);
  lines.push('');
  lines.push(`Throughput (req/s over the request phase, startup excluded; ${REQUESTS} requests per run)`);
  const tw = [10, 12, 12];
  lines.push(row(['run', 'reference', 'cas'], tw));
  for (let i = 0; i < RUNS; i++) lines.push(row([i + 1, fmt(refRps[i]), fmt(casRps[i])], tw));
  lines.push(row(['median', fmt(refMedian), fmt(casMedian)], tw));
  lines.push(`ratio cas/reference: ${ratio.toFixed(3)}   bar >= ${THROUGHPUT_BAR.toFixed(2)}   ${passFail(ratio >= THROUGHPUT_BAR)}`);
  lines.push('');
  lines.push('Memory (peak RSS of the cas node process, VmHWM)');
  const mw = [18, 12, 10];
  lines.push(row(['requests', 'peak RSS MB', 'req/s'], mw));
  lines.push(row([MEMORY_SMALL, fmt(small.peakMb), fmt(small.report.throughputRps)], mw));
  lines.push(row([MEMORY_LARGE, fmt(large.peakMb), fmt(large.report.throughputRps)], mw));
  lines.push(`peak RSS at ${MEMORY_LARGE}: ${fmt(large.peakMb)} MB   bar < ${RSS_BAR_MB} MB   ${large.peakMb === null ? 'n/a' : passFail(large.peakMb < RSS_BAR_MB)}`);
  lines.push(`growth ${MEMORY_LARGE}/${MEMORY_SMALL}: ${fmt(growth, 3)}   bar < ${GROWTH_BAR}   ${growth === null ? 'n/a' : passFail(growth < GROWTH_BAR)}`);
  // The throughput runs above sampled the servers (the default): what that cost cas, against their length.
  const sampled = [...casRuns, small.report, large.report].filter((report) => report.serverSampling !== null);
  const costMs = sampled.reduce((sum, report) => sum + report.serverSampling.costMs, 0);
  const spanMs = sampled.reduce((sum, report) => sum + report.wallMs + report.startupWallMs, 0);
  const share = spanMs > 0 ? (costMs / spanMs) * 100 : null;
  lines.push('');
  lines.push(`Server sampling (each app-server's CPU and RSS once a second, in every run above): ${fmt(costMs)} ms of cas CPU over ${fmt(spanMs / 1000)} s`);
  lines.push(`share of one core: ${share === null ? 'n/a' : `${share.toFixed(3)}%`}   bar < ${SAMPLING_BAR_PCT}%   ${share === null ? 'n/a' : passFail(share < SAMPLING_BAR_PCT)}`);
  return lines;
}

/** Which sections to run: BENCH_ONLY=run,mine,batch (any subset), all of them by default. */
function selectedSections() {
  const raw = process.env.BENCH_ONLY;
  if (raw === undefined || raw.trim() === '') return new Set(SECTIONS);
  const names = raw.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !SECTIONS.includes(name));
  if (unknown.length > 0) {
    log(`BENCH_ONLY: unknown section(s) ${unknown.join(', ')}; use a comma list of ${SECTIONS.join(', ')}`);
    process.exit(2); // a mistyped env is a usage error, not a benchmark result
  }
  return new Set(names);
}

/** On SIGINT/SIGTERM, stops the running cas child and removes the temp dir before exiting. */
function cleanUpOnSignal(tmp) {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      log(`${signal}: stopping cas and removing ${tmp}`);
      stopCasChildren()
        .then(() => rm(tmp, { recursive: true, force: true }))
        .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
}

/** Runs one section; a section that throws is reported as a warning so the others still run. */
async function runSection(name, section, print) {
  const sectionStart = performance.now();
  try {
    print(await section());
  } catch (error) {
    warnings.push(`section ${name} aborted: ${error instanceof Error ? error.message : String(error)}`);
  }
  log(`section ${name} took ${((performance.now() - sectionStart) / 1000).toFixed(1)} s`);
}

const SECTIONS = ['run', 'mine', 'batch', 'merge', 'transports', 'startup'];
const only = selectedSections();
const tmp = await mkdtemp(path.join(tmpdir(), 'cas-bench-'));
cleanUpOnSignal(tmp);
const ctx = { tmp, log, warn: (message) => warnings.push(message), addPids: (pids) => serverPids.push(...pids) };
const started = performance.now();
try {
  // Each section's table goes to stdout as soon as it is done, so a long bench shows results early.
  let first = true;
  const print = (lines) => {
    process.stdout.write(`${first ? '' : '\n'}${lines.join('\n')}\n`);
    first = false;
  };
  log(`sections: ${[...only].join(', ')}; temp dir ${tmp}`);
  if (only.has('run')) await runSection('run', benchRun, print);
  if (only.has('mine')) await runSection('mine', () => benchMine(ctx), print);
  if (only.has('batch')) await runSection('batch', () => benchBatch(ctx), print);
  if (only.has('merge')) await runSection('merge', () => benchMerge(ctx), print);
  if (only.has('transports')) await runSection('transports', () => benchTransports(ctx), print);
  if (only.has('startup')) await runSection('startup', () => benchStartup(ctx), print);
} finally {
  await rm(tmp, { recursive: true, force: true });
}

const left = survivors();
const closing = [''];
closing.push(`app-server processes left behind: ${left.length === 0 ? 'none' : left.join(' ')} (${serverPids.length} checked)`);
for (const warning of warnings) closing.push(`WARNING: ${warning}`);
process.stdout.write(`${closing.join('\n')}\n`);
log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);

if (!existsSync('/proc/self/status')) log('no /proc: peak RSS is n/a');
