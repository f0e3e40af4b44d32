import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { CAS_BIN, ROOT } from './cas-cli.js';

/** How a test starts the proxy. */
export interface ProxyDriverOptions {
  /** Variables for the proxy's environment; CODEX_HOME defaults to a fresh temp dir (the proxy runs on the home it inherits). */
  env?: Record<string, string>;
  cwd?: string;
  /** Start it as a shell starts a job: leader of its own process group. */
  detached?: boolean;
}

/** One proxy event as written on stdout, with the raw line it came in. */
export interface ProxyEventLine {
  type: string;
  seq: number;
  ts: number;
  sessionId: string;
  threadId?: string;
  turnId?: string;
  itemId?: string;
  msg?: Record<string, unknown> & { id?: string | number; method?: string; params?: Record<string, unknown>; result?: unknown; error?: unknown };
  raw: string;
  [field: string]: unknown;
}

/** Drives `cas proxy` as an orchestrator would: envelopes to stdin, events from stdout. */
export class ProxyDriver {
  readonly events: ProxyEventLine[] = [];
  readonly process: ResultPromise;
  /** The CODEX_HOME the proxy inherited (a temp dir unless the test gave one). */
  readonly codexHome: string;
  readonly #ownedHome: string | undefined;
  #waiters: Array<() => void> = [];
  #buffer = '';

  constructor(args: readonly string[], options: ProxyDriverOptions = {}) {
    this.#ownedHome = options.env?.CODEX_HOME === undefined ? mkdtempSync(path.join(os.tmpdir(), 'cas-proxy-home-')) : undefined;
    this.codexHome = options.env?.CODEX_HOME ?? this.#ownedHome!;
    this.process = execa(process.execPath, [CAS_BIN, 'proxy', ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...options.env, CODEX_HOME: this.codexHome },
      reject: false,
      stdin: 'pipe',
      detached: options.detached ?? false,
      buffer: { stdout: false, stderr: true },
    });
    void this.process.then(() => {
      if (this.#ownedHome !== undefined) rmSync(this.#ownedHome, { recursive: true, force: true });
    });
    this.process.stdout!.setEncoding('utf8');
    this.process.stdout!.on('data', (chunk: string) => {
      this.#buffer += chunk;
      for (let newline = this.#buffer.indexOf('\n'); newline !== -1; newline = this.#buffer.indexOf('\n')) {
        const raw = this.#buffer.slice(0, newline);
        this.#buffer = this.#buffer.slice(newline + 1);
        this.events.push({ ...(JSON.parse(raw) as ProxyEventLine), raw });
      }
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  /** Writes envelopes (objects) or raw lines (strings) to the proxy's stdin. */
  send(...lines: Array<Record<string, unknown> | string>): void {
    for (const line of lines) this.process.stdin!.write(`${typeof line === 'string' ? line : JSON.stringify(line)}\n`);
  }

  /** The first event (from `from` on) that matches, waiting up to `timeoutMs`. */
  async waitFor(match: (event: ProxyEventLine) => boolean, timeoutMs = 20_000, from = 0): Promise<ProxyEventLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find(match);
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`no matching event within ${timeoutMs} ms; last: ${this.events.slice(-3).map((e) => e.raw).join('\n')}`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  /** The reply event to a cas/request with this clientRequestId. */
  reply(clientRequestId: string): Promise<ProxyEventLine> {
    return this.waitFor((event) => event.type === 'cas/fromServer' && event.clientRequestId === clientRequestId);
  }

  /** Sends cas/exit and waits for the process to end; stdin stays open unless `closeInput`. */
  async exit(closeInput = false): Promise<{ exitCode: number; stderr: string }> {
    this.send({ type: 'cas/exit' });
    if (closeInput) this.process.stdin!.end();
    return this.ended();
  }

  /** Waits for the process to end. */
  async ended(): Promise<{ exitCode: number; stderr: string }> {
    const result = await this.process;
    return { exitCode: result.exitCode ?? -1, stderr: String(result.stderr) };
  }

  /** Events of one type. */
  ofType(type: string): ProxyEventLine[] {
    return this.events.filter((event) => event.type === type);
  }
}
