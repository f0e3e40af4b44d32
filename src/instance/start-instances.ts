import path from 'node:path';
import pLimit from 'p-limit';
import { AppServerError } from '../client/app-server-error.js';
import { connect, type ConnectOptions } from '../client/connection.js';
import type { ResolvedCodex } from '../codex/resolve-codex.js';
import { LocalErrorCode } from '../protocol/error-codes.js';
import { backoffDelayMs, sleep } from '../runner/backoff.js';
import { prepareHome, type FreshHomeOptions, type HomePlan } from './codex-home.js';
import { Instance } from './instance.js';

/** Connection settings shared by every instance. */
export type InstanceConnectOptions = Omit<ConnectOptions, 'command' | 'args' | 'env'>;

/** Inputs of {@link startInstances}. */
export interface StartInstancesOptions {
  /** The codex binary to run. */
  codex: ResolvedCodex;
  /** Extra arguments after `app-server` (`--codex-arg`). */
  codexArgs: readonly string[];
  /** Each instance's CODEX_HOME. */
  plan: HomePlan;
  /** `--codex-home-template`: config.toml and auth.json for fresh homes. */
  template?: string;
  /** Writes a fresh home's config.toml from the template's. */
  freshConfig?: FreshHomeOptions['freshConfig'];
  /** Directory of the state files. */
  stateDir: string;
  /** Handshake and request settings. */
  connect: InstanceConnectOptions;
  /** Further attempts after a failed start (default 3). */
  startupRetries?: number;
  /** Instances starting at the same time, at most (default 8). */
  startupConcurrency?: number;
  /** Stops start-up retries early. */
  signal?: AbortSignal;
}

const STARTUP_BACKOFF = { baseMs: 250, maxMs: 4000 };

/** The command line for one app-server. */
export function appServerCommand(codex: ResolvedCodex, codexArgs: readonly string[]): { command: string; args: string[] } {
  return { command: codex.command, args: [...codex.prefixArgs, 'app-server', ...codexArgs] };
}

async function startOne(instance: Instance, options: StartInstancesOptions): Promise<void> {
  const { command, args } = appServerCommand(options.codex, options.codexArgs);
  const retries = options.startupRetries ?? 3;
  for (let attempt = 0; ; attempt++) {
    instance.starting();
    const startedAt = performance.now();
    try {
      const connection = await connect({
        ...options.connect,
        command,
        args,
        env: { ...options.codex.env, CODEX_HOME: instance.home },
      });
      instance.ready(connection, performance.now() - startedAt);
      return;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // A binary that cannot run will not run on the next try either.
      const hopeless = error instanceof AppServerError && error.code === LocalErrorCode.spawnFailed;
      if (hopeless || attempt >= retries || options.signal?.aborted) {
        instance.failed(message);
        return;
      }
      await sleep(backoffDelayMs(attempt, STARTUP_BACKOFF), options.signal);
    }
  }
}

/**
 * Starts one app-server per planned home, each ready (handshake done) or failed with a reason;
 * never throws for a failed start. On a shared home the first server starts alone, so the
 * others find its SQLite files made; any that still hit a lock are retried with backoff.
 */
export async function startInstances(options: StartInstancesOptions): Promise<Instance[]> {
  const { homes } = options.plan;
  for (const home of new Set(homes)) await prepareHome(home, { template: options.template, freshConfig: options.freshConfig });
  const instances = homes.map((home, index) => new Instance(index, home, path.join(options.stateDir, `instance-${index}.json`)));
  const limit = pLimit(options.startupConcurrency ?? 8);
  const [first, ...rest] = instances;
  if (options.plan.shared && first !== undefined) {
    await startOne(first, options);
    await Promise.all(rest.map((instance) => limit(() => startOne(instance, options))));
  } else {
    await Promise.all(instances.map((instance) => limit(() => startOne(instance, options))));
  }
  return instances;
}
