import path from 'node:path';
import type { ResolvedCodex } from '../codex/resolve-codex.js';
import { planHomes, type HomePlan } from '../instance/codex-home.js';
import type { Instance } from '../instance/instance.js';
import { launchInstances, type InstanceConnectOptions } from '../instance/start-instances.js';
import type { ServerTarget } from '../instance/server-target.js';
import type { MockModel, MockModelStats } from '../mock-model/mock-model-server.js';
import type { MockScriptInput } from '../mock-model/mock-script.js';
import { mockProviderArgs, mockProviderConfig } from '../mock-model/provider-config.js';
import { openRunDir } from './run-dir.js';
import { acquireLock, type FileLock } from '../files/file-lock.js';
import { makeDirectory } from '../files/make-dir.js';
import { AppServerError } from '../client/app-server-error.js';
import { LocalErrorCode } from '../protocol/error-codes.js';
import { buildBaseReport, type BaseReport } from '../report/base-report.js';
import type { RunStats } from '../report/run-stats.js';
import { DEFAULT_POLICY, type ServerRequestPolicy } from '../policy/choices.js';
import { deferredPolicyHandler } from '../policy/deferred-policy-handler.js';
import { ServerRequestTally } from '../policy/server-request-tally.js';
import type { Redactor } from '../report/redactor.js';
import type { ServerSampler, ServerSamplerOptions } from './server-sampler.js';
import type { Shard } from '../shard/shard-spec.js';
import type { BudgetChange, BudgetPacer } from '../budget/budget-pacer.js';
import type { BudgetSnapshot } from '../budget/governor.js';
import { RATE_LIMITS_READ } from '../budget/rate-limit-methods.js';
import type { AppServerConnection, ClientInfo } from '../client/connection.js';
import { pacedExecutor } from './paced-executor.js';
import type { JobExecutor } from './run-workers.js';

/** Where and how a session starts its app-servers (or reaches running ones). */
export interface SessionOptions {
  /** App-servers to start, or connections to open. */
  instances: number;
  /** Spawned over stdio (default), spawned and reached over a socket, or servers already running (no home is touched then). */
  target?: ServerTarget;
  codex: ResolvedCodex;
  /** Extra arguments after `app-server`. */
  codexArgs: readonly string[];
  /** Where fresh homes and state files go; default a temp dir. */
  runDir?: string;
  /** Work for the caller while the app-servers start (e.g. loading what the requests need); awaited before the body runs. */
  whileStarting?: () => Promise<void>;
  /** Keep the temp run dir. */
  keepRunDir?: boolean;
  /** `--codex-home` (with `{i}` for one per instance). */
  codexHome?: string;
  /** One home per instance, when the caller has planned them (overrides `codexHome`). */
  homes?: readonly string[];
  /** `--codex-home-template`. */
  codexHomeTemplate?: string;
  /** Write nothing into any home, fresh or not (mining reads homes as they are). */
  untouchedHomes?: boolean;
  /** Default `<runDir>/state`. */
  stateDir?: string;
  /** Handshake and request settings of every instance. */
  connect: InstanceConnectOptions;
  /** Each instance's own `initialize.clientInfo`, over `connect.clientInfo`. */
  clientInfoFor?(index: number): ClientInfo;
  startupRetries: number;
  /** Restarts of an app-server that died or hung, per instance (default 3). */
  maxRestarts?: number;
  /** Silent timeouts in a row before a hung app-server is recycled (default 3; 0: never). */
  maxConsecutiveTimeouts?: number;
  /** Fail (throw) when any instance fails to start, instead of going on with the rest. */
  requireAll?: boolean;
  /** After the signal aborts, how long requests in flight may finish before they are failed and the app-servers closed (default 5000). */
  graceMs?: number;
  /** Start a loopback model with this script and point every fresh home at it. */
  mockModel?: MockScriptInput;
  /** How server requests (approvals, tool calls, ...) are answered; default fail closed. */
  policy?: ServerRequestPolicy;
  /** Keeps secrets out of the state files (an error may quote a server's output). */
  redactor?: Redactor;
  /** Sample each app-server's CPU and memory (and `server/diagnostics`) every second (default true). */
  serverStats?: boolean | ServerSamplerOptions;
  /** Which share of a sharded job this is, for the report (default: the whole job). */
  shard?: Shard;
  /** Stops start-up retries early. */
  signal?: AbortSignal;
  /**
   * Run the body while instances are still starting (each is used once ready): homes that start
   * slowly hold up no other. Not with `requireAll`, which needs every start settled first.
   */
  startInBackground?: boolean;
  /** Pace work by the account's rate-limit budget (`--budget-pacing`). */
  budgetPacing?: boolean;
  /** Told when the budget's tier or limit changes (to say so). */
  onBudget?(change: BudgetChange, snapshot: BudgetSnapshot | null): void;
}

/** Started app-servers, ready for work. */
export interface Session {
  instances: Instance[];
  /** Time to start them all (with `startInBackground`, known once `ready` has resolved). */
  startupWallMs: number;
  /** Resolves once every instance has started or failed. */
  ready: Promise<void>;
  startedAt: Date;
  runDir: string;
  /** The loopback model, with `--mock-model`. */
  mockModel: MockModel | undefined;
  /** Closes every app-server (and writes their final state); call before reporting. */
  close(): Promise<void>;
  /** Server requests answered so far, by method and decision. */
  serverRequests: ServerRequestTally;
  /** Samples the servers' CPU and memory, unless turned off; stopped by `close`. */
  sampler: ServerSampler | undefined;
  /** The rate-limit budget, with `budgetPacing`. */
  budget: BudgetPacer | undefined;
  /** `executor`, paced by the budget when pacing (else as is). */
  paced(executor: JobExecutor, signal?: AbortSignal): JobExecutor;
  /** The fields every report shares, from these instances and the given statistics. */
  report(stats: RunStats, wallMs: number, interrupted: boolean): BaseReport;
}

/** What a report says of the mock model: where it was and what it served. */
function mockModelReport(mock: MockModel | undefined): (MockModelStats & { url: string }) | null {
  return mock === undefined ? null : { url: mock.url, ...mock.stats };
}

export const DEFAULT_GRACE_MS = 5000;

/**
 * Once the run is aborted, requests in flight have `graceMs` to finish; then each still pending
 * fails as `interrupted` (so it still gets its one result) and the app-servers are closed.
 */
function startGracePeriod(instances: readonly Instance[], signal: AbortSignal | undefined, graceMs: number): () => void {
  let timer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    timer = setTimeout(() => {
      for (const instance of instances) instance.connection?.abandonPending(LocalErrorCode.interrupted, `no reply within the ${graceMs} ms grace period after the interrupt`);
      void Promise.allSettled(instances.map((instance) => instance.close()));
    }, graceMs);
    timer.unref();
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  return () => {
    signal?.removeEventListener('abort', onAbort);
    if (timer !== undefined) clearTimeout(timer);
  };
}

function homePlan(options: SessionOptions, runDir: string): HomePlan {
  if (options.homes === undefined) return planHomes(options.instances, runDir, options.codexHome);
  const homes = [...options.homes];
  return { homes, shared: new Set(homes).size < homes.length };
}

/** Reads the budget from the first app-server that serves. */
async function readBudget(instances: readonly Instance[]): Promise<unknown> {
  const instance = instances.find((candidate) => candidate.serving);
  if (instance === undefined) throw new Error('no app-server is left to read the rate-limit budget from');
  return (instance.connection ?? (await instance.whenReady())).request(RATE_LIMITS_READ, {});
}

/** `onConnection` that also lets the budget follow every connection, restarts included. */
function watchingConnections(onConnection: ((connection: AppServerConnection) => void) | undefined, budget: BudgetPacer | undefined) {
  if (budget === undefined) return onConnection;
  return (connection: AppServerConnection) => {
    onConnection?.(connection);
    budget.watch(connection);
  };
}

/**
 * Starts the instances, runs `body` with them, then closes every app-server and removes the
 * temp run dir, whatever `body` did.
 */
export async function withSession<T>(options: SessionOptions, body: (session: Session) => Promise<T>): Promise<T> {
  // The budget and the sampler load only for the runs that use them: a one-off request needs neither.
  const pacer = options.budgetPacing ? await import('../budget/budget-pacer.js') : undefined;
  const runDir = await openRunDir(options.runDir, options.keepRunDir ?? false);
  let instances: Instance[] = [];
  let mock: MockModel | undefined;
  let sampler: ServerSampler | undefined;
  const serverRequests = new ServerRequestTally();
  const cleanups: Array<() => void> = [];
  let stateLock: FileLock | undefined;
  const budget = pacer === undefined ? undefined : new pacer.BudgetPacer({ read: () => readBudget(instances), onChange: options.onBudget });
  if (budget !== undefined) cleanups.push(() => budget.stop());
  try {
    // A running server reads its own config: cas cannot point it at a loopback model.
    if (options.target?.mode === 'connect' && options.mockModel !== undefined) throw new AppServerError('a mock model needs servers cas starts, not running ones', { kind: 'startup', code: LocalErrorCode.exited });
    // The loopback model (an HTTP server) loads only when a run asks for it.
    if (options.mockModel !== undefined) mock = await (await import('../mock-model/mock-model-server.js')).startMockModel({ script: options.mockModel });
    const url = mock?.url;
    const startedAt = new Date();
    const start = performance.now();
    const stateDir = options.stateDir ?? path.join(runDir.path, 'state');
    await makeDirectory(stateDir);
    // Two runs sharing a state dir would overwrite each other's state files: one at a time.
    stateLock = await acquireLock(path.join(stateDir, 'cas.lock'), `the state dir ${stateDir}`);
    const policy = deferredPolicyHandler(options.policy ?? DEFAULT_POLICY, serverRequests);
    const launched = await launchInstances({
      codex: options.codex,
      // Fresh homes get the mock in config.toml; the -c overrides also cover homes that already exist.
      codexArgs: url === undefined ? options.codexArgs : [...options.codexArgs, ...mockProviderArgs(url)],
      plan: homePlan(options, runDir.path),
      target: options.target,
      socketDir: path.join(runDir.path, 'sockets'),
      template: options.untouchedHomes ? undefined : options.codexHomeTemplate,
      freshConfig: url === undefined || options.untouchedHomes ? undefined : (templateConfig) => mockProviderConfig(url, templateConfig),
      stateDir,
      redactor: options.redactor,
      connect: {
        ...options.connect,
        onConnection: watchingConnections(options.connect.onConnection, budget),
        onServerRequest: options.connect.onServerRequest ?? policy.handler,
      },
      ...(options.clientInfoFor === undefined ? {} : { clientInfoFor: options.clientInfoFor }),
      startupRetries: options.startupRetries,
      maxRestarts: options.maxRestarts,
      maxConsecutiveTimeouts: options.maxConsecutiveTimeouts,
      signal: options.signal,
    });
    instances = launched.instances;
    let startupWallMs = 0;
    const ready = launched.started.then(() => void (startupWallMs = performance.now() - start));
    // Started once the spawns are under way: their loading overlaps the servers' start-up.
    const prepared = Promise.all([options.whileStarting?.(), options.connect.onServerRequest === undefined ? policy.load() : undefined]);
    // Handled below, once the start-up is awaited: not an unhandled rejection meanwhile.
    prepared.catch(() => undefined);
    if (!options.startInBackground || options.requireAll) await ready;
    await prepared;
    if (options.serverStats !== false) {
      sampler = new (await import('./server-sampler.js')).ServerSampler(instances, options.serverStats === true || options.serverStats === undefined ? {} : options.serverStats);
      sampler.start();
    }
    const close = async () => {
      // The last sample (and each server's memory high-water mark) while the servers still run.
      sampler?.stop();
      await Promise.all(instances.map((instance) => instance.close()));
    };
    const refused = instances.find((instance) => instance.startFailure?.code === LocalErrorCode.unauthorized);
    // A wrong or missing token is wrong for every connection: stop before any work.
    if (refused !== undefined) throw new AppServerError(`instance ${refused.index}: ${refused.lastError ?? 'unauthorized'}`, { kind: 'startup', code: LocalErrorCode.unauthorized });
    const failed = instances.find((instance) => instance.status === 'failed');
    if (options.requireAll && failed !== undefined) {
      throw new AppServerError(`instance ${failed.index} failed to start (--require-all): ${failed.lastError ?? 'unknown'}`, { kind: 'startup', code: LocalErrorCode.exited });
    }
    const stopGrace = startGracePeriod(instances, options.signal, options.graceMs ?? DEFAULT_GRACE_MS);
    cleanups.push(stopGrace);
    // The first tier is known before any work is dispatched (it needs a server to ask).
    if (budget !== undefined) {
      await ready;
      await budget.start();
    }
    const codex = { path: options.codex.path, source: options.codex.source };
    const report = (stats: RunStats, wallMs: number, interrupted: boolean) =>
      buildBaseReport({
        codex,
        instances,
        stats,
        wallMs,
        startupWallMs,
        startedAt,
        interrupted,
        serverRequests,
        mockModel: mockModelReport(mock),
        serverUsage: sampler?.result(),
        shard: options.shard,
        budget: budget?.report() ?? null,
      });
    const paced = (executor: JobExecutor, signal?: AbortSignal) => pacedExecutor(executor, budget, signal);
    return await body({
      instances,
      get startupWallMs() {
        return startupWallMs;
      },
      ready,
      startedAt,
      runDir: runDir.path,
      mockModel: mock,
      close,
      serverRequests,
      sampler,
      budget,
      paced,
      report,
    });
  } finally {
    sampler?.stop();
    for (const cleanup of cleanups) cleanup();
    await Promise.allSettled(instances.map((instance) => instance.close()));
    // Released once the last state file is written.
    await stateLock?.release();
    await mock?.close();
    await runDir.dispose();
  }
}
