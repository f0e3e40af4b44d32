import path from 'node:path';
import pLimit from 'p-limit';
import { connect, type ClientInfo, type ConnectOptions } from '../client/connection.js';
import type { ResolvedCodex } from '../codex/resolve-codex.js';
import { prepareHome, type FreshHomeOptions, type HomePlan } from './codex-home.js';
import { Instance } from './instance.js';
import { StateFileWriter } from './state-file.js';
import type { Redactor } from '../report/redactor.js';

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
  /** Keeps secrets out of the state files. */
  redactor?: Redactor;
  /** Handshake and request settings. */
  connect: InstanceConnectOptions;
  /** Each instance's own `initialize.clientInfo` (e.g. `cas-instance-1`, ...), over `connect.clientInfo`. */
  clientInfoFor?(index: number): ClientInfo;
  /** Further attempts after a failed start (default 3). */
  startupRetries?: number;
  /** Restarts of an app-server that died or hung, per instance (default 3). */
  maxRestarts?: number;
  /** Silent timeouts in a row before a hung app-server is recycled (default 3; 0: never). */
  maxConsecutiveTimeouts?: number;
  /** Instances starting at the same time, at most (default 8). */
  startupConcurrency?: number;
  /** Stops start-up retries early. */
  signal?: AbortSignal;
}

/** The command line for one app-server. */
export function appServerCommand(codex: ResolvedCodex, codexArgs: readonly string[]): { command: string; args: string[] } {
  return { command: codex.command, args: [...codex.prefixArgs, 'app-server', ...codexArgs] };
}

/**
 * Starts one app-server per planned home, each ready (handshake done) or failed with a reason;
 * never throws for a failed start. On a shared home the first server starts alone, so the
 * others find its SQLite files made (and the index of its rollouts built); any that still hit
 * a lock are retried with backoff. Different homes start side by side.
 */
export async function startInstances(options: StartInstancesOptions): Promise<Instance[]> {
  const { instances, started } = await launchInstances(options);
  await started;
  return instances;
}

/**
 * Like {@link startInstances}, but hands the instances back at once, still starting: work can
 * begin on each home as soon as its first instance is ready (a slow home, such as one whose
 * rollouts the server is indexing, holds up no other). `started` resolves once all have started or failed.
 */
export async function launchInstances(options: StartInstancesOptions): Promise<{ instances: Instance[]; started: Promise<void> }> {
  const { homes } = options.plan;
  for (const home of new Set(homes)) await prepareHome(home, { template: options.template, freshConfig: options.freshConfig });
  const { command, args } = appServerCommand(options.codex, options.codexArgs);
  const instances = homes.map(
    (home, index) =>
      new Instance(index, home, new StateFileWriter(path.join(options.stateDir, `instance-${index}.json`), options.redactor), {
        launch: (signal) =>
          connect({ ...options.connect, ...(options.clientInfoFor === undefined ? {} : { clientInfo: options.clientInfoFor(index) }), command, args, env: { ...options.codex.env, CODEX_HOME: home }, signal }),
        startupRetries: options.startupRetries ?? 3,
        maxRestarts: options.maxRestarts ?? 3,
        maxConsecutiveTimeouts: options.maxConsecutiveTimeouts ?? 3,
        signal: options.signal,
      }),
  );
  const limit = pLimit(options.startupConcurrency ?? 8);
  const byHome = new Map<string, Instance[]>();
  for (const instance of instances) byHome.set(instance.home, [...(byHome.get(instance.home) ?? []), instance]);
  const started = Promise.all(
    [...byHome.values()].map(async ([first, ...rest]) => {
      await limit(() => first!.start());
      await Promise.all(rest.map((instance) => limit(() => instance.start())));
    }),
  ).then(() => undefined);
  return { instances, started };
}
