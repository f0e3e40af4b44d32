import { AppServerError } from '../client/app-server-error.js';
import { waitForTurns } from '../client/turn-waiter.js';
import { AppServerConnection } from '../client/connection.js';
import type { Instance } from '../instance/instance.js';
import { LocalErrorCode, type ErrorCode } from '../protocol/error-codes.js';
import { ThreadStartResultSchema, TurnStartResultSchema } from '../protocol/turns.js';
import { executeRequest, type RequestOutcome } from './execute-request.js';
import type { RetryPolicy } from './retry-policy.js';
import type { Job, JobExecutor } from './run-workers.js';

/** How turns are run under load. */
export interface TurnExecutorOptions {
  policy: RetryPolicy;
  /** Params of the `thread/start` that makes each slot's thread. */
  threadParams: Record<string, unknown>;
  /** A new thread for every turn, instead of one thread per slot. */
  freshThread: boolean;
  /** How long a turn may run, from `turn/start` to `turn/completed`. */
  turnTimeoutMs: number;
  signal?: AbortSignal;
  /** Called once when no turn can run (the model cannot be reached): the run should stop at once. */
  onHopeless?(reason: string): void;
}

/** The input sent when the params have none. */
const DEFAULT_INPUT = [{ type: 'text', text: 'Say hello.' }];

function failed(startedAt: number, code: ErrorCode, message: string, from?: RequestOutcome): RequestOutcome {
  return {
    ok: false,
    error: { code, message },
    attempts: from?.attempts ?? 1,
    overloaded: from?.overloaded ?? 0,
    // A turn that ran out of time is a timeout like a request's, and counted as one.
    timedOut: (from?.timedOut ?? 0) + (code === LocalErrorCode.timeout ? 1 : 0),
    latencyMs: performance.now() - startedAt,
    startedAt,
  };
}

/**
 * Runs `turn/start` jobs as whole turns: each slot gets its own thread (one turn at a time per
 * thread, made before the clock starts), the turn is started with the usual retries, and its
 * latency runs to the `turn/completed` notification, not to the `turn/start` reply. With
 * `freshThread`, every turn makes its own thread, and that is part of its latency.
 */
export function turnExecutor(options: TurnExecutorOptions): JobExecutor {
  const slotThreads = new Map<string, string>();
  let hopelessSaid = false;
  const hopeless = (reason: string) => {
    if (hopelessSaid) return;
    hopelessSaid = true;
    options.onHopeless?.(reason);
  };

  /** The live app-server of an instance, or the outcome of a turn that cannot run. */
  async function live(instance: Instance, startedAt: number): Promise<AppServerConnection | RequestOutcome> {
    return instance.whenReady().catch((error: Error) => failed(startedAt, LocalErrorCode.exited, error.message));
  }

  async function threadFor(instance: Instance, slot: number, startedAt: number): Promise<string | RequestOutcome> {
    // A restarted app-server has none of the old one's loaded threads: key by restart too.
    const key = `${instance.index}:${instance.restarts}:${slot}`;
    const known = options.freshThread ? undefined : slotThreads.get(key);
    if (known !== undefined) return known;
    const connection = await live(instance, startedAt);
    if (!(connection instanceof AppServerConnection)) return connection;
    const started = await executeRequest((m, p) => connection.request(m, p), 'thread/start', options.threadParams, options.policy, {}, options.signal);
    if (!started.ok) return { ...started, startedAt, latencyMs: performance.now() - startedAt };
    const parsed = ThreadStartResultSchema.safeParse(started.result);
    if (!parsed.success) return failed(startedAt, LocalErrorCode.unexpectedReply, 'thread/start returned no thread id');
    if (!options.freshThread) slotThreads.set(key, parsed.data.thread.id);
    return parsed.data.thread.id;
  }

  async function runTurn(instance: Instance, slot: number, job: Job, startedAt: number): Promise<RequestOutcome> {
    const connection = await live(instance, startedAt);
    if (!(connection instanceof AppServerConnection)) return connection;
    const given = (job.params ?? {}) as Record<string, unknown>;
    const thread = typeof given.threadId === 'string' ? given.threadId : await threadFor(instance, slot, startedAt);
    if (typeof thread !== 'string') return thread;
    const params = { input: DEFAULT_INPUT, ...given, threadId: thread };
    const waiter = waitForTurns(connection, thread);
    let reply: RequestOutcome | undefined;
    let turnId: string | undefined;
    try {
      reply = await executeRequest((m, p) => connection.request(m, p), job.method, params, options.policy, instance, options.signal, startedAt);
      if (!reply.ok) return reply;
      const started = TurnStartResultSchema.safeParse(reply.result);
      if (!started.success) return failed(startedAt, LocalErrorCode.unexpectedReply, 'turn/start returned no turn id', reply);
      turnId = started.data.turn.id;
      const completed = await waiter.completion(turnId, options.turnTimeoutMs);
      const { status, error } = completed.turn;
      if (status !== 'completed') {
        const code = status === 'interrupted' ? LocalErrorCode.turnInterrupted : LocalErrorCode.turnFailed;
        return failed(startedAt, code, error?.message ?? `turn ended ${status}`, reply);
      }
      return { ...reply, result: completed, latencyMs: performance.now() - startedAt };
    } catch (error) {
      const code = error instanceof AppServerError ? error.code : LocalErrorCode.exited;
      const message = error instanceof Error ? error.message : String(error);
      if (code === LocalErrorCode.modelUnreachable) {
        hopeless(message);
        // The server would retry for ever: stop the turn, so the thread is free and the server idle.
        if (turnId !== undefined) void connection.request('turn/interrupt', { threadId: thread, turnId }).catch(() => undefined);
      }
      return failed(startedAt, code, message, reply);
    } finally {
      waiter.dispose();
    }
  }

  return {
    async prepare(instances, slotsPerInstance) {
      if (options.freshThread) return;
      const slots = instances.flatMap((instance) => Array.from({ length: slotsPerInstance }, (_, slot) => ({ instance, slot })));
      // A slot whose thread cannot be made now tries again on its first turn, which then fails with the reason.
      await Promise.all(slots.map(({ instance, slot }) => (instance.serving ? threadFor(instance, slot, performance.now()) : undefined)));
    },
    async run(instance, slot, job, startedAt) {
      const outcome = await runTurn(instance, slot, job, startedAt);
      instance.onOutcome(job.method, outcome);
      return outcome;
    },
  };
}
