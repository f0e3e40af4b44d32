import path from 'node:path';
import { AppServerError } from '../client/app-server-error.js';
import { CasClient, type CasClientOptions } from '../client/cas-client.js';
import { versionFromUserAgent } from '../codex/codex-version.js';
import { resolveCodex, type ResolvedCodex } from '../codex/resolve-codex.js';
import { INDEX_PLACEHOLDER, prepareHome } from '../instance/codex-home.js';
import { startMockModel, type MockModel } from '../mock-model/mock-model-server.js';
import { mockProviderArgs, mockProviderConfig, mockProviderThreadConfig } from '../mock-model/provider-config.js';
import type { TokenSource } from '../transport/bearer-token.js';
import type { Endpoint } from '../transport/endpoint.js';
import { LocalErrorCode } from '../protocol/error-codes.js';
import { backoffDelayMs, sleep } from '../runner/backoff.js';
import { openRunDir, type RunDir } from '../runner/run-dir.js';
import { notRun, runCheck, type CheckOutcome } from './check-runner.js';
import { checkExperimentalFeatures, checkInterrupt, checkResume, checkSteer } from './smoke-checks.js';
import type { SmokeCheck, SmokeResult } from './smoke-result.js';
import { SMOKE_SCRIPT } from './smoke-script.js';

/** Options of {@link runSmoke}. */
export interface SmokeOptions {
  /** Check a server that is already running instead of starting one (its thread is pointed at the mock model). */
  endpoint?: Endpoint;
  /** The token file such a server wants. */
  token?: TokenSource;
  /** The codex to run (default: `resolveCodex`'s choice, or `codexBin`). */
  codex?: ResolvedCodex;
  /** The codex binary, when `codex` is not given. */
  codexBin?: string;
  /** Extra arguments after `app-server`; the mock model's `-c` overrides are added after them. */
  codexArgs?: readonly string[];
  /** The CODEX_HOME to use (`{i}` becomes 0), created if missing and kept (default: a fresh one in the run dir). */
  codexHome?: string;
  /** config.toml and auth.json copied into a fresh home (the mock model's settings are added). */
  codexHomeTemplate?: string;
  /** Where the fresh home goes (`<runDir>/home`, kept); default a temp dir. */
  runDir?: string;
  /** Keep the temp run dir. */
  keepRunDir?: boolean;
  /** Timeout of every request, in ms (default 30000). */
  requestTimeoutMs?: number;
  /** Sent in `initialize`. */
  optOutNotificationMethods?: readonly string[];
  /** The app-server's working directory (default: the current one). */
  cwd?: string;
  /** How long each turn may take to complete, in ms (default 30000). */
  turnTimeoutMs?: number;
  /** Further attempts when the app-server fails to start (default 0; not when the binary cannot run). */
  startupRetries?: number;
  /** Stops before the next check; the rest are reported as not run. */
  signal?: AbortSignal;
}

/** What the checks share as they go. */
interface SmokeState {
  client?: CasClient;
  threadId?: string;
  /** `thread/start` params: on a running server, the config that points the thread at the mock. */
  threadParams?: Record<string, unknown>;
}

/** One check: what it needs from the earlier ones, and its body. */
interface SmokeStep {
  name: string;
  needs: 'nothing' | 'server' | 'thread';
  run(state: Required<SmokeState>): Promise<CheckOutcome>;
}

const DEFAULT_SMOKE_TURN_TIMEOUT_MS = 30_000;
const STARTUP_BACKOFF = { baseMs: 250, maxMs: 4000 };

/** Starts the client, retrying a failed start (a busy SQLite home, a slow machine) with backoff. */
async function startWithRetries(options: CasClientOptions, retries: number, signal: AbortSignal | undefined): Promise<CasClient> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await CasClient.start(options);
    } catch (error) {
      // A binary that cannot run will not run on the next try either.
      const hopeless = error instanceof AppServerError && (error.code === LocalErrorCode.spawnFailed || error.code === LocalErrorCode.unauthorized);
      if (hopeless || attempt >= retries || signal?.aborted) throw error;
      await sleep(backoffDelayMs(attempt, STARTUP_BACKOFF), signal);
    }
  }
}

/** Everything the smoke run starts, so it can all be stopped whatever happened. */
interface SmokeResources {
  mock?: MockModel;
  runDir?: RunDir;
}

/** Starts the mock model, prepares the home and starts the app-server on it: the handshake check. */
async function startServer(options: SmokeOptions, resources: SmokeResources, state: SmokeState, turnTimeoutMs: number): Promise<CheckOutcome> {
  const mock = await startMockModel({ script: SMOKE_SCRIPT });
  resources.mock = mock;
  if (options.endpoint !== undefined) {
    // A running server keeps its own config; only the smoke thread is pointed at the mock.
    state.threadParams = { config: mockProviderThreadConfig(mock.url) };
    const connectOptions: CasClientOptions = { endpoint: options.endpoint, token: options.token, requestTimeoutMs: options.requestTimeoutMs, optOutNotificationMethods: options.optOutNotificationMethods, turnTimeoutMs };
    state.client = await startWithRetries(connectOptions, options.startupRetries ?? 0, options.signal);
    return { ok: true, detail: `${state.client.userAgent ?? '(no userAgent)'} at ${options.endpoint.display}` };
  }
  let home = options.codexHome?.replaceAll(INDEX_PLACEHOLDER, '0');
  if (home === undefined) {
    resources.runDir = await openRunDir(options.runDir, options.keepRunDir ?? false);
    home = path.join(resources.runDir.path, 'home');
  }
  await prepareHome(home, { template: options.codexHomeTemplate, freshConfig: (existing) => mockProviderConfig(mock.url, existing) });
  const clientOptions: CasClientOptions = {
    codex: options.codex,
    codexBin: options.codexBin,
    // The overrides also point a home that already exists at this run's mock.
    codexArgs: [...(options.codexArgs ?? []), ...mockProviderArgs(mock.url)],
    codexHome: home,
    requestTimeoutMs: options.requestTimeoutMs,
    optOutNotificationMethods: options.optOutNotificationMethods,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    turnTimeoutMs,
  };
  state.client = await startWithRetries(clientOptions, options.startupRetries ?? 0, options.signal);
  return { ok: true, detail: state.client.userAgent ?? '(no userAgent)' };
}

function steps(turnTimeoutMs: number): SmokeStep[] {
  const context = (state: Required<SmokeState>) => ({ client: state.client, threadId: state.threadId, turnTimeoutMs });
  return [
    { name: 'experimentalFeature/list', needs: 'server', run: (state) => checkExperimentalFeatures(state.client) },
    {
      name: 'thread/start',
      needs: 'server',
      run: async (state) => {
        state.threadId = (await state.client.threadStart(state.threadParams ?? {})).thread.id;
        return { ok: true, detail: `thread ${state.threadId}` };
      },
    },
    { name: 'thread/resume', needs: 'thread', run: (state) => checkResume(context(state)) },
    { name: 'turn/interrupt', needs: 'thread', run: (state) => checkInterrupt(context(state)) },
    { name: 'turn/steer', needs: 'thread', run: (state) => checkSteer(context(state)) },
  ];
}

/** Why a step cannot run now, or undefined when it can. */
function blocker(step: SmokeStep, state: SmokeState, signal: AbortSignal | undefined): string | undefined {
  if (signal?.aborted) return 'interrupted';
  if (step.needs !== 'nothing' && state.client === undefined) return 'the app-server did not start';
  if (step.needs === 'thread' && state.threadId === undefined) return 'no thread (thread/start failed)';
  return undefined;
}

/**
 * Checks that one real app-server, on a home whose model is cas's loopback mock, answers the
 * core v2 methods: the handshake, `experimentalFeature/list`, `thread/start`, `thread/resume`,
 * `turn/start` + `turn/interrupt`, `turn/steer`. A failed check does not stop the ones that can
 * still run; those that cannot are reported as not ok, with why. Never throws for a failed check.
 */
export async function runSmoke(options: SmokeOptions = {}): Promise<SmokeResult> {
  const turnTimeoutMs = options.turnTimeoutMs ?? DEFAULT_SMOKE_TURN_TIMEOUT_MS;
  const codex = options.endpoint === undefined ? codexToRun(options) : undefined;
  const resources: SmokeResources = {};
  const state: SmokeState = {};
  const checks: SmokeCheck[] = [];
  try {
    const startOptions = codex === undefined ? options : { ...options, codex };
    const handshake: SmokeStep = { name: 'handshake', needs: 'nothing', run: () => startServer(startOptions, resources, state, turnTimeoutMs) };
    for (const step of [handshake, ...steps(turnTimeoutMs)]) {
      const why = blocker(step, state, options.signal);
      checks.push(why !== undefined ? notRun(step.name, why) : await runCheck(step.name, () => step.run(state as Required<SmokeState>)));
    }
  } finally {
    await state.client?.close();
    await resources.mock?.close();
    await resources.runDir?.dispose();
  }
  const userAgent = state.client?.userAgent ?? null;
  const ran = options.endpoint !== undefined ? { path: options.endpoint.display, source: 'connect' as const } : codex;
  return {
    ok: checks.every((check) => check.ok),
    codex: ran === undefined ? null : { path: ran.path, source: ran.source, userAgent, version: versionFromUserAgent(userAgent) },
    checks,
  };
}

/** The codex the smoke run starts; undefined when none can be found (the handshake check then says why). */
function codexToRun(options: SmokeOptions): ResolvedCodex | undefined {
  try {
    return options.codex ?? resolveCodex({ codexBin: options.codexBin });
  } catch {
    return undefined;
  }
}
