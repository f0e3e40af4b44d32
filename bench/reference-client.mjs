// Minimal reference client for `codex app-server`: spawn + JSONL, no retries, no report.
// It is the yardstick cas's throughput is compared against in bench/run.mjs.
//
// Run directly for debugging:
//   node bench/reference-client.mjs [--codex <bin>] [--instances 2] [--requests 20000] \
//     [--in-flight 32] [--method thread/list] [--params '{"limit":1}']
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const KILL_AFTER_MS = 3000;

/** One app-server child: its process, a pending-reply table and a JSONL line splitter. */
class Server {
  constructor(codex, home) {
    this.home = home;
    this.pending = new Map(); // id -> callback(reply | null)
    this.exited = false;
    this.child = spawn(codex.command, [...codex.prefixArgs, 'app-server'], {
      env: { ...process.env, ...codex.env, CODEX_HOME: home },
      stdio: ['pipe', 'pipe', 'ignore'], // stderr ignored so the child can never block on it
    });
    this.pid = this.child.pid;
    this.exitPromise = new Promise((resolve) => this.child.once('exit', resolve));
    // A dead child must fail its outstanding requests, or the run would hang.
    this.child.once('exit', () => {
      this.exited = true;
      for (const callback of this.pending.values()) callback(null);
      this.pending.clear();
    });
    this.child.once('error', () => {}); // spawn failure shows up as 'exit'/a failed handshake
    this.child.stdin.on('error', () => {}); // EPIPE after a crash is reported through 'exit'
    let buffered = '';
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk) => {
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        this.#onLine(line);
      }
    });
  }

  #onLine(line) {
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      return; // non-JSON output is not ours to judge
    }
    if (message === null || typeof message !== 'object' || message.id === undefined) return; // notification
    const callback = this.pending.get(message.id);
    if (callback === undefined) return; // a server request or an unknown id
    this.pending.delete(message.id);
    callback(message);
  }

  /** Sends a request; `callback` gets the reply, or null if the child died first. */
  request(id, method, params, callback) {
    if (this.exited) return callback(null);
    this.pending.set(id, callback);
    this.child.stdin.write(`${JSON.stringify({ id, method, params })}\n`);
  }

  notify(method) {
    if (!this.exited) this.child.stdin.write(`${JSON.stringify({ method })}\n`);
  }

  /** Ends stdin (the server exits on EOF), SIGKILLs if still alive after 3 s, removes the home. */
  async close() {
    if (!this.exited) {
      this.child.stdin.end();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), KILL_AFTER_MS);
      await this.exitPromise;
      clearTimeout(timer);
    }
    await rm(this.home, { recursive: true, force: true });
  }
}

function handshake(server) {
  const params = { clientInfo: { name: 'ref', title: 'ref', version: '0' }, capabilities: { experimentalApi: true } };
  return new Promise((resolve, reject) => {
    server.request(0, 'initialize', params, (reply) => {
      if (reply === null) return reject(new Error(`app-server ${server.pid ?? '?'} exited during initialize`));
      if (reply.error !== undefined) return reject(new Error(`initialize failed: ${JSON.stringify(reply.error)}`));
      server.notify('initialized');
      resolve();
    });
  });
}

/**
 * Runs `requests` calls of `method` over `instances` app-servers, `inFlight` at a time on each.
 * @param {{codex: {command: string, prefixArgs?: string[], env?: Record<string,string>}, instances: number,
 *          requests: number, inFlight: number, method: string, params?: unknown}} opts
 * @returns {Promise<{requests: number, ok: number, errors: number, wallMs: number, rps: number, pids: number[]}>}
 */
export async function runReference(opts) {
  const codex = { prefixArgs: [], env: {}, ...opts.codex };
  const { instances, requests, inFlight, method } = opts;
  const params = opts.params ?? {};
  const servers = [];
  try {
    for (let i = 0; i < instances; i++) {
      const home = await mkdtemp(path.join(tmpdir(), 'cas-bench-ref-'));
      servers.push(new Server(codex, home));
    }
    await Promise.all(servers.map(handshake));

    // One shared counter: every slot pulls the next request number until the total is reached.
    let next = 0;
    let ok = 0;
    let errors = 0;
    let nextId = 1; // 0 was the handshake
    let lastReply = 0;
    const start = performance.now();
    await new Promise((resolve) => {
      let openSlots = 0;
      const slot = (server) => {
        if (next >= requests) {
          if (--openSlots === 0) resolve();
          return;
        }
        next++;
        server.request(nextId++, method, params, (reply) => {
          lastReply = performance.now();
          if (reply !== null && reply.error === undefined) ok++;
          else errors++;
          slot(server);
        });
      };
      for (const server of servers) for (let k = 0; k < inFlight; k++) openSlots++;
      for (const server of servers) for (let k = 0; k < inFlight; k++) slot(server);
    });
    const wallMs = (lastReply || performance.now()) - start;
    return { requests: ok + errors, ok, errors, wallMs, rps: wallMs > 0 ? ((ok + errors) / wallMs) * 1000 : 0, pids: servers.map((s) => s.pid) };
  } finally {
    await Promise.all(servers.map((server) => server.close()));
  }
}

/** The codex cas itself would run (--codex-bin, CAS_CODEX_BIN, else the bundled package), from the built library. */
async function defaultCodex() {
  const { resolveCodex } = await import('../dist/index.js');
  return resolveCodex({});
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { values } = parseArgs({
    options: {
      codex: { type: 'string' },
      instances: { type: 'string', default: '2' },
      requests: { type: 'string', default: '20000' },
      'in-flight': { type: 'string', default: '32' },
      method: { type: 'string', default: 'thread/list' },
      params: { type: 'string', default: '{"limit":1}' },
    },
  });
  const codex = values.codex !== undefined ? { command: values.codex } : await defaultCodex();
  const result = await runReference({
    codex,
    instances: Number(values.instances),
    requests: Number(values.requests),
    inFlight: Number(values['in-flight']),
    method: values.method,
    params: JSON.parse(values.params),
  });
  console.log(JSON.stringify({ ...result, codex: codex.command }, null, 2));
}
