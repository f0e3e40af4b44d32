// Merge section of `npm run bench`: four local shards of `cas run` side by side against one run
// of the same work (merged throughput and p99 beside the single run's), then time and peak
// memory of `cas merge` over 100 reports and over 4 batch (and mine) outputs of 250,000 lines
// each; memory must stay bounded: flat as the outputs grow tenfold.
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RunStats } from '../dist/report/run-stats.js';
import { parseJsonOutput, reportPids, runCasChild, stderrTail } from './cas-child.mjs';
import { readJsonFile, writeLines } from './files.mjs';
import { fmt, passFail, row } from './table.mjs';

const SHARDS = 4;
const REQUESTS = 20000;
const CONCURRENCY = 16;
const REPORTS = 100;
const REPORT_SECONDS = 300;
const REPORT_REQUESTS = 6000;
const OUTPUT_LINES = 250000;
const SMALL_OUTPUT_LINES = 25000;
const RSS_BAR_MB = 200;
/**
 * Peak RSS growth allowed when the outputs grow tenfold. A batch merge holds one line per shard;
 * a mine merge holds one bucket's threads (about 8 MB of input's worth) at a time, but its heap
 * settles a little higher over a run ten times as long (measured: heap used 32, 39, 56 MB at
 * 0.1, 1 and 4 million lines).
 */
const GROWTH_BARS = { batch: 1.25, mine: 1.5 };

/**
 * Runs the merge section and returns its table lines.
 * @param {{tmp: string, log: (m: string) => void, warn: (m: string) => void, addPids: (pids: number[]) => void}} ctx
 */
export async function benchMerge(ctx) {
  const lines = [...(await shardsBesideSingle(ctx)), ''];
  lines.push(...(await mergeReportsTable(ctx)), '');
  lines.push(...(await mergeOutputsTable(ctx)));
  return lines;
}

const load = (extra) => ['run', '-m', 'thread/list', '--params', '{"limit":1}', '--concurrency', String(CONCURRENCY), '--json', '--no-progress', ...extra];

async function casReport(ctx, label, args) {
  const child = await runCasChild(args);
  const report = parseJsonOutput(child.stdout);
  if (report === null) throw new Error(`${label}: cas exited ${child.exitCode ?? child.signal} without a report: ${stderrTail(child.stderr)}`);
  ctx.addPids(reportPids(report));
  if (child.exitCode !== 0) ctx.warn(`${label}: cas exited ${child.exitCode}: ${stderrTail(child.stderr)}`);
  return report;
}

/** One run of 4 instances, then 4 shards of 1 instance each started together, on the same total work. */
async function shardsBesideSingle(ctx) {
  ctx.log(`merge: one cas run, ${SHARDS} instances, ${REQUESTS} requests`);
  const single = await casReport(ctx, 'single run', load(['--instances', String(SHARDS), '--requests', String(REQUESTS)]));
  ctx.log(`merge: ${SHARDS} shards of cas run side by side, 1 instance each`);
  // Far enough ahead for four cas processes to start their instances on a busy machine.
  const startAt = new Date(Date.now() + 12000).toISOString();
  const files = Array.from({ length: SHARDS }, (_, index) => path.join(ctx.tmp, `shard-${index}.json`));
  const shards = await Promise.all(
    files.map((file, index) => casReport(ctx, `shard ${index}`, load(['--instances', '1', '--requests', String(REQUESTS), '--shard', `${index}/${SHARDS}`, '--start-at', startAt, '--out', file]))),
  );
  const merged = await casReport(ctx, 'merge of the shards', ['merge', ...files, '--json']);
  if (merged.requests.total !== single.requests.total) ctx.warn(`merged ${merged.requests.total} requests, the single run ${single.requests.total}`);
  const late = shards.map((report) => Date.parse(report.phaseStartedAt) - Date.parse(startAt)).filter((ms) => ms > 100);
  if (late.length > 0) ctx.warn(`${late.length} shard(s) began after --start-at (late by up to ${Math.max(...late)} ms)`);
  const w = [24, 12, 10, 10, 10];
  return [
    `Shards: ${SHARDS} x cas run --shard I/${SHARDS} (1 instance each, --start-at) against one cas run of ${SHARDS} instances; ${REQUESTS} thread/list, ${CONCURRENCY} in flight per instance`,
    row(['', 'req/s', 'p50 ms', 'p99 ms', 'max ms'], w),
    row(['one run', fmt(single.throughputRps), fmt(single.latencyMs.p50, 3), fmt(single.latencyMs.p99, 3), fmt(single.latencyMs.max, 3)], w),
    ...shards.map((report) => row([`  shard ${report.shard.index}`, fmt(report.throughputRps), fmt(report.latencyMs.p50, 3), fmt(report.latencyMs.p99, 3), fmt(report.latencyMs.max, 3)], w)),
    row(['merged shards', fmt(merged.throughputRps), fmt(merged.latencyMs.p50, 3), fmt(merged.latencyMs.p99, 3), fmt(merged.latencyMs.max, 3)], w),
    `ratio merged/one run: throughput ${fmt(merged.throughputRps / single.throughputRps, 3)}, p99 ${fmt(merged.latencyMs.p99 / single.latencyMs.p99, 3)} (4 cas processes instead of 1 on the same CPUs)`,
  ];
}

/** A small seeded PRNG (mulberry32), so every bench run merges the same reports. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A shard report of a 5-minute load test, from cas's own statistics over made-up latencies. */
function syntheticReport(index) {
  const next = random(index + 1);
  const stats = new RunStats(3, 0);
  const outcomes = Array.from({ length: REPORT_REQUESTS }, (_, seq) => {
    const latencyMs = next() < 0.01 ? 200 + next() * 2000 : 0.5 + -Math.log(1 - next()) * 4;
    return { seq, outcome: { ok: true, result: { data: [] }, attempts: 1, overloaded: 0, timedOut: 0, latencyMs, startedAt: next() * REPORT_SECONDS * 1000 } };
  }).sort((a, b) => a.outcome.startedAt + a.outcome.latencyMs - (b.outcome.startedAt + b.outcome.latencyMs));
  for (const { seq, outcome } of outcomes) stats.add(0, { seq, warmup: false }, outcome);
  const phaseStartedAt = new Date(Date.UTC(2030, 0, 1)).toISOString();
  return {
    codex: { path: '/usr/bin/codex', source: 'path', userAgent: 'cas/bench' },
    method: 'thread/list',
    params: { limit: 1 },
    instances: { requested: 2, started: 2, restarts: 0, failed: [] },
    requests: { ...stats.totals },
    errors: stats.errors.toArray(),
    latencyMs: stats.latency.summary(),
    histogram: stats.latency.encode(),
    throughputRps: REPORT_REQUESTS / REPORT_SECONDS,
    wallMs: REPORT_SECONDS * 1000,
    startupWallMs: 900,
    startedAt: phaseStartedAt,
    phaseStartedAt,
    shard: { index, count: REPORTS, jobId: 'bench' },
    interrupted: false,
    serverRequests: [],
    mockModel: null,
    perInstance: [0, 1].map((i) => ({ index: i, status: 'closed', pid: null, codexHome: `/homes/${index}/${i}`, stateFile: `/state/${i}.json`, startupMs: 400, restarts: 0, requests: REPORT_REQUESTS / 2, ok: REPORT_REQUESTS / 2, failed: 0, retries: 0, overloaded: 0, timedOut: 0, skippedLines: 0, lateReplies: 0, error: null })),
    rate: 20,
    measuredTo: 'reply',
    warmup: { ms: 0, total: 0, ok: 0, failed: 0 },
    thresholds: [],
    startAt: phaseStartedAt,
    timeline: stats.timeline.toArray(),
    timelineHistograms: stats.timeline.histograms(),
    samples: stats.samples,
  };
}

async function mergeReportsTable(ctx) {
  ctx.log(`merge: writing ${REPORTS} shard reports of ${REPORT_SECONDS}-second load tests`);
  const files = [];
  let bytes = 0;
  for (let index = 0; index < REPORTS; index++) {
    const file = path.join(ctx.tmp, `report-${index}.json`);
    const text = JSON.stringify(syntheticReport(index), null, 2);
    bytes += text.length;
    await writeFile(file, text);
    files.push(file);
  }
  ctx.log(`merge: cas merge of ${REPORTS} reports`);
  const out = path.join(ctx.tmp, 'reports-merged.json');
  const child = await runCasChild(['merge', ...files, '--out', out], { pollRss: true });
  const merged = await readJsonFile(out);
  if (child.exitCode !== 0 || merged === null) ctx.warn(`cas merge of ${REPORTS} reports exited ${child.exitCode}: ${stderrTail(child.stderr)}`);
  else if (merged.requests.total !== REPORTS * REPORT_REQUESTS) ctx.warn(`merged ${merged.requests.total} requests, expected ${REPORTS * REPORT_REQUESTS}`);
  await Promise.all(files.map((file) => rm(file, { force: true })));
  return [
    `cas merge of ${REPORTS} run reports (${REPORT_SECONDS} timeline seconds and ${REPORT_REQUESTS} requests each, ${fmt(bytes / 1024 / 1024)} MB in all)`,
    `  ${fmt(child.elapsedMs / 1000, 2)} s, peak RSS ${fmt(child.peakMb)} MB, ${merged?.timeline?.length ?? 'n/a'} merged seconds`,
  ];
}

/** Batch results of `lines` input lines split over 4 shards, and mine lines of as many threads. */
async function writeOutputs(ctx, lines, kind) {
  const files = Array.from({ length: SHARDS }, (_, index) => path.join(ctx.tmp, `${kind}-${lines}-${index}.jsonl`));
  const perShard = lines / SHARDS;
  await Promise.all(
    files.map((file, index) =>
      writeLines(file, perShard, (i) => {
        const line = (i - 1) * SHARDS + index + 1;
        return kind === 'batch'
          ? JSON.stringify({ id: `req-${line}`, line, ok: true, result: { data: [], nextCursor: null }, latencyMs: 1.234, attempts: 1, instance: line % 2 })
          : JSON.stringify({ codexHome: `/homes/${index}`, thread: { id: `0199a1b2-0000-7000-8000-${line.toString(16).padStart(12, '0')}`, preview: 'Say hello.', createdAt: 1790000000 + line } });
      }),
    ),
  );
  return files;
}

async function mergeOutputsOnce(ctx, kind, lines) {
  ctx.log(`merge: writing ${SHARDS} ${kind} outputs of ${lines / SHARDS} lines`);
  const files = await writeOutputs(ctx, lines, kind);
  const out = path.join(ctx.tmp, `${kind}-${lines}-merged.jsonl`);
  ctx.log(`merge: cas merge --${kind} of ${lines} lines`);
  const child = await runCasChild(['merge', `--${kind}`, ...files, '--out', out], { pollRss: true });
  if (child.exitCode !== 0) ctx.warn(`cas merge --${kind} of ${lines} lines exited ${child.exitCode}: ${stderrTail(child.stderr)}`);
  const written = /(\d+) (?:results in input order|threads written)/.exec(child.stderr)?.[1];
  if (Number(written) !== lines) ctx.warn(`cas merge --${kind}: ${written} lines written, expected ${lines}`);
  await Promise.all([...files, out].map((file) => rm(file, { force: true })));
  return { lines, seconds: child.elapsedMs / 1000, peakMb: child.peakMb };
}

async function mergeOutputsTable(ctx) {
  const lines = [`cas merge of ${SHARDS} outputs (--batch: k-way merge in input order; --mine: each thread once)`];
  const w = [8, 10, 10, 12, 12];
  lines.push(row(['kind', 'lines', 'seconds', 'lines/s', 'peak RSS MB'], w));
  let verdict = true;
  for (const kind of ['batch', 'mine']) {
    const small = await mergeOutputsOnce(ctx, kind, SMALL_OUTPUT_LINES * SHARDS);
    const large = await mergeOutputsOnce(ctx, kind, OUTPUT_LINES * SHARDS);
    for (const run of [small, large]) lines.push(row([kind, run.lines, fmt(run.seconds, 2), fmt(run.lines / run.seconds, 0), fmt(run.peakMb)], w));
    const growth = small.peakMb && large.peakMb ? large.peakMb / small.peakMb : null;
    const ok = large.peakMb !== null && large.peakMb < RSS_BAR_MB && growth !== null && growth < GROWTH_BARS[kind];
    verdict &&= ok;
    lines.push(`  ${kind}: peak RSS ${fmt(large.peakMb)} MB (bar < ${RSS_BAR_MB}), growth x10 lines ${fmt(growth, 3)} (bar < ${GROWTH_BARS[kind]})   ${passFail(ok)}`);
  }
  lines.push(`bounded memory: ${passFail(verdict)}`);
  return lines;
}
