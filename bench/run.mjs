// `npm run bench`: cas throughput against a minimal reference client, and cas's peak memory.
// Prints figures and PASS/FAIL next to each bar; never exits non-zero on FAIL (it is not a test).
//
// Env overrides for quick trials: BENCH_REQUESTS (throughput runs, default 20000),
// BENCH_RUNS (runs per client, default 5), BENCH_MEMORY_REQUESTS (large memory run, default 200000).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveCodex } from '../dist/index.js';
import { runReference } from './reference-client.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CAS = path.join(ROOT, 'bin', 'cas');

const INSTANCES = 2;
const CONCURRENCY = 32;
const METHOD = 'thread/list';
const PARAMS = { limit: 1 };
const REQUESTS = envInt('BENCH_REQUESTS', 20000);
const RUNS = envInt('BENCH_RUNS', 5);
const MEMORY_SMALL = 20000;
const MEMORY_LARGE = envInt('BENCH_MEMORY_REQUESTS', 200000);
const POLL_MS = 100;

const THROUGHPUT_BAR = 0.9;
const RSS_BAR_MB = 150;
const GROWTH_BAR = 1.25;

function envInt(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}

const log = (message) => process.stderr.write(`bench: ${message}\n`);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const passFail = (ok) => (ok ? 'PASS' : 'FAIL');
const fmt = (value, digits = 1) => (value === null || value === undefined ? 'n/a' : value.toFixed(digits));

/** Peak RSS so far (VmHWM, monotonic) of a live process in kB, or null when /proc cannot tell. */
function readVmHwmKb(pid) {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? null : Number(match[1]);
  } catch {
    return null; // no /proc, or the process is gone
  }
}

/**
 * Runs `node bin/cas run ...` directly (no npx, no shell) so the child pid is the cas node process,
 * and returns its parsed JSON report plus, if asked, the highest VmHWM seen while polling.
 */
function runCas(requests, { pollRss = false } = {}) {
  const args = [
    CAS, 'run',
    '--instances', String(INSTANCES),
    '--method', METHOD,
    '--params', JSON.stringify(PARAMS),
    '--requests', String(requests),
    '--concurrency', String(CONCURRENCY),
    '--json', '--no-progress',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
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
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearInterval(timer);
      // cas exits 1 when some requests failed but still prints its report; only a missing report is fatal.
      let report;
      try {
        report = JSON.parse(Buffer.concat(stdout).toString('utf8'));
      } catch {
        reject(new Error(`cas exited ${code ?? signal} without a JSON report:\n${stderr.trim()}`));
        return;
      }
      resolve({ report, exitCode: code, peakMb: peakKb === null ? null : peakKb / 1024 });
    });
  });
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
  for (const instance of report.perInstance) if (instance.pid !== null) serverPids.push(instance.pid);
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

// --- Report (stdout).
const refRps = refRuns.map((r) => r.rps);
const casRps = casRuns.map((r) => r.throughputRps);
const refMedian = median(refRps);
const casMedian = median(casRps);
const ratio = refMedian > 0 ? casMedian / refMedian : 0;
const growth = small.peakMb !== null && large.peakMb !== null && small.peakMb > 0 ? large.peakMb / small.peakMb : null;

const lines = [];
const row = (cells, widths) => cells.map((cell, i) => String(cell).padEnd(widths[i])).join('  ').trimEnd();
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
const left = survivors();
lines.push('');
lines.push(`app-server processes left behind: ${left.length === 0 ? 'none' : left.join(' ')}`);
for (const warning of warnings) lines.push(`WARNING: ${warning}`);
process.stdout.write(`${lines.join('\n')}\n`);

if (!existsSync('/proc/self/status')) log('no /proc: peak RSS is n/a');
