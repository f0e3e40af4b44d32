import path from 'node:path';
import pLimit from 'p-limit';
import type { ClientInfo, ConnectOptions } from '../client/connection.js';
import type { ResolvedCodex } from '../codex/resolve-codex.js';
import type { Redactor } from '../report/redactor.js';
import { makeDirectory } from '../files/make-dir.js';
import { prepareHome, type FreshHomeOptions, type HomePlan } from './codex-home.js';
import { Instance } from './instance.js';
import { launcher, plannedEndpoint, RECONNECT_BACKOFF, SPAWN_STDIO, type ServerTarget } from './server-target.js';
import { StateFileWriter } from './state-file.js';

/** Connection settings shared by every instance. */
export type InstanceConnectOptions = Omit<ConnectOptions, 'command' | 'args' | 'env'>;

/** Inputs of {@link startInstances}. */
export interface StartInstancesOptions {
  /** The codex binary to run. */
  codex: ResolvedCodex;
  /** Extra arguments after `app-server` (`--codex-arg`). */
  codexArgs: readonly string[];
  /** Each instance's CODEX_HOME (ignored when the target is servers already running). */
  plan: HomePlan;
  /** How the servers are reached (default: spawned, over stdio). */
  target?: ServerTarget;
  /** Where `--listen unix` servers put their sockets (default: beside the state files). */
  socketDir?: string;
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
  const target = options.target ?? SPAWN_STDIO;
  const spawned = target.mode === 'spawn';
  // Servers already running own their homes: cas plans none, and writes in none.
  const homes: Array<string | undefined> = spawned ? options.plan.homes : Array.from({ length: options.plan.homes.length }, () => undefined);
  if (spawned) for (const home of new Set(options.plan.homes)) await prepareHome(home, { template: options.template, freshConfig: options.freshConfig });
  const { command, args } = appServerCommand(options.codex, options.codexArgs);
  const socketDir = options.socketDir ?? path.join(options.stateDir, 'sockets');
  if (spawned && target.listen === 'unix') await makeDirectory(socketDir);
  const instances = homes.map(
    (home, index) =>
      new Instance(index, home, new StateFileWriter(path.join(options.stateDir, `instance-${index}.json`), options.redactor), {
        launch: launcher(
          target,
          index,
          home === undefined ? undefined : { command, args, env: { ...options.codex.env, CODEX_HOME: home } },
          socketDir,
          options.clientInfoFor === undefined ? options.connect : { ...options.connect, clientInfo: options.clientInfoFor(index) },
        ),
        planned: plannedEndpoint(target, index, socketDir, command),
        startupRetries: options.startupRetries ?? 3,
        maxRestarts: options.maxRestarts ?? 3,
        maxConsecutiveTimeouts: options.maxConsecutiveTimeouts ?? 3,
        startupBackoff: spawned ? undefined : RECONNECT_BACKOFF,
        signal: options.signal,
      }),
  );
  const limit = pLimit(options.startupConcurrency ?? 8);
  // Instances of one home (or one server) start first one alone, so the others find its SQLite
  // files made; different homes (servers) start side by side.
  const byHome = new Map<string, Instance[]>();
  instances.forEach((instance, index) => {
    const key = instance.home ?? `server-${index}`;
    byHome.set(key, [...(byHome.get(key) ?? []), instance]);
  });
  const started = Promise.all(
    [...byHome.values()].map(async ([first, ...rest]) => {
      await limit(() => first!.start());
      await Promise.all(rest.map((instance) => limit(() => instance.start())));
    }),
  ).then(() => undefined);
  return { instances, started };
}
