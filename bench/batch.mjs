// Batch section of `npm run bench`: lines/s and peak RSS of `cas batch` at 20,000 and 100,000
// thread/list lines; peak RSS must stay under a bar and flat as the input grows.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { reportPids, runCasChild, stderrTail } from './cas-child.mjs';
import { forEachLine, readJsonFile, writeLines } from './files.mjs';
import { fmt, passFail, row } from './table.mjs';

const SMALL = 20000;
const LARGE = 100000;
const INSTANCES = 2;
const CONCURRENCY = 32;
const RSS_BAR_MB = 200;
const GROWTH_BAR = 1.25;

/**
 * Runs the batch section and returns its table lines.
 * @param {{tmp: string, log: (m: string) => void, warn: (m: string) => void, addPids: (pids: number[]) => void}} ctx
 */
export async function benchBatch(ctx) {
  const results = [];
  for (const lines of [SMALL, LARGE]) {
    const input = path.join(ctx.tmp, `batch-${lines}.jsonl`);
    ctx.log(`batch: writing ${lines} input lines`);
    await writeLines(input, lines, (i) => JSON.stringify({ id: i, method: 'thread/list', params: { limit: 1 } }));
    ctx.log(`batch run: cas batch ${lines} lines`);
    results.push(await batchOnce(ctx, input, lines));
    await rm(input, { force: true }); // 100k lines of input and output need not sit in tmp until the end
  }
  return batchTable(results);
}

/** One `cas batch` run with VmHWM polling: lines/s from its report, and peak RSS of the cas process. */
async function batchOnce(ctx, input, lines) {
  const label = `batch ${lines} lines`;
  const out = path.join(ctx.tmp, `batch-${lines}.out`);
  const reportFile = path.join(ctx.tmp, `batch-${lines}.json`);
  const child = await runCasChild([
    'batch', '--input', input, '--out', out, '--instances', String(INSTANCES), '--concurrency', String(CONCURRENCY),
    '--report', reportFile, '--no-progress',
  ], { pollRss: true });
  const report = await readJsonFile(reportFile);
  if (report === null) {
    ctx.warn(`${label}: cas batch exited ${child.exitCode ?? child.signal} without a report: ${stderrTail(child.stderr)}`);
    return { lines, linesPerS: null, peakMb: child.peakMb };
  }
  ctx.addPids(reportPids(report));
  checkBatchReport(ctx, label, report, child, lines);
  await checkOrder(ctx, label, out, lines);
  await rm(out, { force: true });
  const linesPerS = report.wallMs > 0 ? report.lines.written / (report.wallMs / 1000) : 0;
  return { lines, linesPerS, peakMb: child.peakMb };
}

/** Warns about anything in a batch report that makes its figures suspect. */
function checkBatchReport(ctx, label, report, child, lines) {
  if (child.exitCode !== 0) ctx.warn(`${label}: cas batch exited ${child.exitCode ?? child.signal}: ${stderrTail(child.stderr)}`);
  if (report.lines.written !== lines) ctx.warn(`${label}: lines.written ${report.lines.written}, expected ${lines}`);
  if (report.requests.failed !== 0) ctx.warn(`${label}: ${report.requests.failed} requests failed (${JSON.stringify(report.errors)})`);
  if (report.instances.started !== INSTANCES) ctx.warn(`${label}: ${report.instances.started}/${INSTANCES} instances started`);
}

/** Checks the output has `lines` lines in input order: line k carries `"line": k`. */
async function checkOrder(ctx, label, out, lines) {
  let firstBad = null;
  let count = 0;
  try {
    count = await forEachLine(out, (text, number) => {
      if (firstBad !== null) return;
      let position;
      try {
        position = JSON.parse(text).line;
      } catch {
        position = undefined;
      }
      if (position !== number) firstBad = { number, position };
    });
  } catch {
    // no output file: 0 lines
  }
  if (count !== lines) ctx.warn(`${label}: output has ${count} lines, expected ${lines}`);
  if (firstBad !== null) ctx.warn(`${label}: output out of order: line ${firstBad.number} has "line": ${firstBad.position}`);
}

/** The table: lines, lines/s, peak RSS, then the two bars. */
function batchTable([small, large]) {
  const growth = small.peakMb !== null && large.peakMb !== null && small.peakMb > 0 ? large.peakMb / small.peakMb : null;
  const lines = [];
  lines.push(`Batch (cas batch, thread/list {"limit":1}, ${INSTANCES} instances x ${CONCURRENCY} in flight; lines/s = lines.written / request phase; peak RSS of the cas node process, VmHWM)`);
  const widths = [10, 12, 12];
  lines.push(row(['lines', 'lines/s', 'peak RSS MB'], widths));
  for (const result of [small, large]) lines.push(row([result.lines, fmt(result.linesPerS), fmt(result.peakMb)], widths));
  lines.push(`peak RSS at ${LARGE}: ${fmt(large.peakMb)} MB   bar < ${RSS_BAR_MB} MB   ${large.peakMb === null ? 'n/a' : passFail(large.peakMb < RSS_BAR_MB)}`);
  lines.push(`growth ${LARGE}/${SMALL}: ${fmt(growth, 3)}   bar < ${GROWTH_BAR}   ${growth === null ? 'n/a' : passFail(growth < GROWTH_BAR)} (flat as the input grows)`);
  return lines;
}
