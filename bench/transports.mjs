// Transports section of `npm run bench`: throughput of instances reached over stdio, WebSocket
// and a Unix socket (`cas run --listen stdio|ws|unix`, the same load, runs alternated so drift
// hits all alike, ratios against stdio), then the time cas takes to open 64 connections (each
// with its own handshake) to one running server, over WebSocket and over a Unix socket.
//
// Env: BENCH_TRANSPORT_REQUESTS (requests per throughput run, default 20000), BENCH_TRANSPORT_RUNS
// (runs per transport, default 3).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { resolveCodex } from '../dist/index.js';
import { parseJsonOutput, reportPids, runCasChild, stderrTail } from './cas-child.mjs';
import { fmt, row } from './table.mjs';
import { envInt, median } from './numbers.mjs';

const INSTANCES = 2;
const CONCURRENCY = 32;
const CONNECTIONS = 64;
const OPEN_RUNS = 3;
const TRANSPORTS = ['stdio', 'ws', 'unix'];



/** One `cas run` and its report; a run without a report, or with failures, is a warning. */
async function casRun(ctx, label, args) {
  const child = await runCasChild(['run', '--json', '--no-progress', ...args]);
  const report = parseJsonOutput(child.stdout);
  if (report === null) throw new Error(`${label}: no report (exit ${child.exitCode}): ${stderrTail(child.stderr)}`);
  ctx.addPids(reportPids(report));
  if (report.requests.ok !== report.requests.total) ctx.warn(`${label}: ${report.requests.failed} of ${report.requests.total} requests failed`);
  return report;
}

/** A free loopback port. */
async function freePort() {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  return port;
}

/** Starts `codex app-server --listen URL` on a fresh home and waits until it serves. */
async function startServer(ctx, name, listen, ready) {
  const codex = resolveCodex({});
  const home = path.join(ctx.tmp, `transports-${name}`);
  await mkdir(home, { recursive: true });
  const child = spawn(codex.command, [...codex.prefixArgs, 'app-server', '--listen', listen], {
    env: { ...process.env, ...codex.env, CODEX_HOME: home },
    stdio: 'ignore',
    detached: true,
  });
  ctx.addPids([child.pid]);
  for (let waited = 0; !(await ready()); waited += 50) {
    if (child.exitCode !== null || waited > 60_000) throw new Error(`the ${name} server did not start`);
    await delay(50);
  }
  return {
    stop: async () => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    },
  };
}

const accepts = (connect) => () => new Promise((resolve) => {
  const socket = connect();
  socket.once('connect', () => { socket.destroy(); resolve(true); });
  socket.once('error', () => resolve(false));
});

/**
 * Runs the transports section and returns its table lines.
 * @param {{tmp: string, log: (m: string) => void, warn: (m: string) => void, addPids: (pids: number[]) => void}} ctx
 */
export async function benchTransports(ctx) {
  const requests = envInt('BENCH_TRANSPORT_REQUESTS', 20000);
  const runs = envInt('BENCH_TRANSPORT_RUNS', 3);
  const rps = Object.fromEntries(TRANSPORTS.map((transport) => [transport, []]));
  const startup = Object.fromEntries(TRANSPORTS.map((transport) => [transport, []]));
  for (let run = 1; run <= runs; run++) {
    for (const transport of TRANSPORTS) {
      ctx.log(`transports run ${run}/${runs}: --listen ${transport}`);
      const report = await casRun(ctx, `--listen ${transport} run ${run}`, [
        '--listen', transport, '--instances', String(INSTANCES), '--concurrency', String(CONCURRENCY), '--requests', String(requests),
        '--params', '{"limit":1}',
      ]);
      rps[transport].push(report.throughputRps);
      startup[transport].push(report.startupWallMs);
    }
  }

  // Opening many connections to one running server: cas's --connect with 64 instances.
  const opens = {};
  const port = await freePort();
  const socketPath = path.join(ctx.tmp, 'transports-unix.sock');
  const servers = [
    { name: 'ws', url: `ws://127.0.0.1:${port}`, ready: accepts(() => net.connect(port, '127.0.0.1')) },
    { name: 'unix', url: `unix://${socketPath}`, ready: accepts(() => net.connect(socketPath)) },
  ];
  for (const { name, url, ready } of servers) {
    const server = await startServer(ctx, name, url, ready);
    try {
      opens[name] = [];
      for (let run = 1; run <= OPEN_RUNS; run++) {
        ctx.log(`transports: ${CONNECTIONS} connections to one ${name} server, run ${run}/${OPEN_RUNS}`);
        const report = await casRun(ctx, `${CONNECTIONS} connections (${name})`, ['--connect', url, '--instances', String(CONNECTIONS), '--requests', String(CONNECTIONS)]);
        if (report.instances.started !== CONNECTIONS) ctx.warn(`${name}: ${report.instances.started} of ${CONNECTIONS} connections opened`);
        const each = report.perInstance.map((instance) => instance.startupMs).filter((ms) => ms !== null);
        opens[name].push({ wallMs: report.startupWallMs, p50: median(each), max: Math.max(...each) });
      }
    } finally {
      await server.stop();
    }
  }

  const stdio = median(rps.stdio);
  const lines = [`Transports (cas run --listen: ${INSTANCES} instances x ${CONCURRENCY} in flight, ${requests} thread/list per run, runs alternated)`];
  const w = [10, ...Array(runs).fill(10), 14, 16, 16];
  lines.push(row(['transport', ...Array.from({ length: runs }, (_, i) => `run ${i + 1}`), 'median req/s', 'ratio vs stdio', 'start-up ms'], w));
  for (const transport of TRANSPORTS) {
    const mid = median(rps[transport]);
    lines.push(row([transport, ...rps[transport].map((value) => fmt(value)), fmt(mid), stdio ? fmt(mid / stdio, 3) : 'n/a', fmt(median(startup[transport]), 0)], w));
  }
  lines.push('');
  lines.push(`Opening ${CONNECTIONS} connections to one running server (cas --connect, 8 at a time, each with its handshake; median of ${OPEN_RUNS})`);
  const ow = [10, 14, 22, 22];
  lines.push(row(['server', 'all open, ms', 'per connection p50 ms', 'per connection max ms'], ow));
  for (const name of Object.keys(opens)) {
    const runsOf = opens[name];
    lines.push(row([name, fmt(median(runsOf.map((r) => r.wallMs)), 0), fmt(median(runsOf.map((r) => r.p50)), 1), fmt(median(runsOf.map((r) => r.max)), 1)], ow));
  }
  return lines;
}
