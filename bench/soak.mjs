// `npm run soak`: mixed load for a long while (SOAK_SECONDS, default 600) while app-servers are
// killed at random, then the accounts: requests, restarts, losses (must be 0) and RSS over time.
// Not a test: it prints, and exits 1 only when something was lost.
import { spawn } from 'node:child_process';
import { createReadStream, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CAS, ROOT } from './cas-child.mjs';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const KILL_EVERY_MS = [4000, 12000];
const BATCH_LINES = 50_000_000; // more than the soak can send: the batch runs until stopped
const log = (message) => process.stderr.write(`soak: ${message}\n`);

/** RSS of a live process in MB, or null. */
function rssMb(pid) {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? null : Number(match[1]) / 1024;
  } catch {
    return null;
  }
}

/** Lines of a file, counted as it streams (outputs can be far larger than one string may be). */
async function countLines(file) {
  let lines = 0;
  for await (const chunk of createReadStream(file)) for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, at + 1)) lines++;
  return lines;
}

/** App-server pids the state files of a run name. */
function serverPids(stateDir) {
  try {
    return readdirSync(stateDir)
      .filter((file) => file.endsWith('.json'))
      .map((file) => JSON.parse(readFileSync(path.join(stateDir, file), 'utf8')).pid)
      .filter((pid) => typeof pid === 'number');
  } catch {
    return [];
  }
}

/** The mixed batch input: reads of several kinds (small answers: the output is kept), generated as the batch asks for them. */
function* batchLines() {
  const kinds = [
    { method: 'thread/list', params: { limit: 5 } },
    { method: 'thread/loaded/list', params: {} },
    { method: 'config/read', params: {} },
    { method: 'account/read', params: {} },
  ];
  for (let i = 0; i < BATCH_LINES; i++) yield `${JSON.stringify({ id: i, ...kinds[i % kinds.length] })}\n`;
}

function startCas(args, stdio) {
  return spawn(process.execPath, [CAS, ...args], { cwd: ROOT, stdio });
}

const tmp = await mkdtemp(path.join(os.tmpdir(), 'cas-soak-'));
const runState = path.join(tmp, 'run-state');
const batchState = path.join(tmp, 'batch-state');
const records = path.join(tmp, 'records.jsonl');
const batchOut = path.join(tmp, 'batch.jsonl');
const batchReport = path.join(tmp, 'batch-report.json');
log(`${SECONDS} s of load in ${tmp}`);

// A closed-model run and a batch, side by side, each on its own app-servers.
const run = startCas(['run', '--json', '--no-progress', '--instances', '2', '--method', 'thread/list', '--params', '{"limit":1}', '--duration', String(SECONDS), '--concurrency', '16', '--state-dir', runState, '--records', records, '--request-timeout-ms', '5000', '--max-restarts', '1000'], ['ignore', 'pipe', 'inherit']);
const runOut = [];
run.stdout.on('data', (chunk) => runOut.push(chunk));
const batch = startCas(['batch', '--input', '-', '--out', batchOut, '--report', batchReport, '--no-progress', '--instances', '2', '--concurrency', '8', '--state-dir', batchState, '--request-timeout-ms', '5000', '--max-restarts', '1000'], ['pipe', 'ignore', 'inherit']);
const feed = batchLines();
const pump = () => {
  for (let next = feed.next(); !next.done; next = feed.next()) if (!batch.stdin.write(next.value)) return batch.stdin.once('drain', pump);
};
batch.stdin.on('error', () => undefined);
pump();

// Random kills, and an RSS sample every 10 s.
let kills = 0;
const samples = [];
const started = Date.now();
const stopAt = started + SECONDS * 1000;
const killer = (async () => {
  while (Date.now() < stopAt - 3000) {
    await new Promise((resolve) => setTimeout(resolve, KILL_EVERY_MS[0] + Math.random() * (KILL_EVERY_MS[1] - KILL_EVERY_MS[0])));
    const pids = [...serverPids(runState), ...serverPids(batchState)];
    const victim = pids[Math.floor(Math.random() * pids.length)];
    if (victim === undefined) continue;
    try {
      process.kill(victim, 'SIGKILL');
      kills++;
    } catch {
      // already gone (a restart in between)
    }
  }
})();
const sampler = setInterval(() => samples.push({ s: Math.round((Date.now() - started) / 1000), run: rssMb(run.pid), batch: rssMb(batch.pid) }), 10_000);

await new Promise((resolve) => run.once('exit', resolve));
await killer;
batch.kill('SIGINT');
await new Promise((resolve) => batch.once('exit', resolve));
clearInterval(sampler);

// The accounts.
const report = JSON.parse(Buffer.concat(runOut).toString('utf8'));
const recordLines = await countLines(records);
const batchSummary = JSON.parse(await readFile(batchReport, 'utf8'));
const batchLinesOut = await countLines(batchOut);
const runLost = report.requests.total - (report.requests.ok + report.requests.failed) + Math.abs(recordLines - report.requests.total);
const batchLost = Math.abs(batchSummary.lines.read - batchLinesOut);
const mb = (value) => (value === null || value === undefined ? 'n/a' : value.toFixed(1));
const lines = [
  `cas soak: ${SECONDS} s, ${kills} app-servers killed`,
  `run:   ${report.requests.total} requests, ${report.requests.ok} ok, ${report.requests.failed} failed, ${report.requests.retries} retries, ${report.instances.restarts} restarts, ${recordLines} records, lost ${runLost}`,
  `batch: ${batchSummary.lines.read} lines read, ${batchLinesOut} results written, ${batchSummary.requests.failed} failed, ${batchSummary.instances.restarts} restarts, lost ${batchLost}`,
  'RSS over time (MB): second  run  batch',
  ...samples.map((sample) => `  ${String(sample.s).padStart(5)}  ${mb(sample.run).padStart(6)}  ${mb(sample.batch).padStart(6)}`),
  `losses: ${runLost + batchLost} ${runLost + batchLost === 0 ? '(PASS)' : '(FAIL)'}`,
];
process.stdout.write(`${lines.join('\n')}\n`);
await rm(tmp, { recursive: true, force: true });
process.exitCode = runLost + batchLost === 0 ? 0 : 1;
