import type { CasClient } from '../client/cas-client.js';
import type { TrackedTurn } from '../client/tracked-turn.js';
import type { CheckOutcome } from './check-runner.js';
import { isSteerPreconditionRejection } from './steer-rejection.js';

/** What the turn checks share. */
export interface TurnCheckContext {
  client: CasClient;
  /** The thread made by the `thread/start` check. */
  threadId: string;
  /** How long a turn may take to complete, in ms. */
  turnTimeoutMs: number;
}

const text = (value: string) => [{ type: 'text', text: value }];

/** How long a steered turn gets to finish on its own before it is interrupted, in ms. */
const SETTLE_MS = 15_000;

/** `experimentalFeature/list`: a non-empty list. */
export async function checkExperimentalFeatures(client: CasClient): Promise<CheckOutcome> {
  const { data } = await client.listExperimentalFeatures({});
  const enabled = data.filter((feature) => feature.enabled).length;
  return { ok: data.length > 0, detail: `${data.length} features (${enabled} enabled)` };
}

/**
 * `thread/resume` of the smoke thread. codex 0.169.0 persists a thread only with its first turn
 * and refuses to resume it before ("no rollout found"), so a quick turn runs first.
 */
export async function checkResume({ client, threadId, turnTimeoutMs }: TurnCheckContext): Promise<CheckOutcome> {
  const first = await client.turnStart({ threadId, input: text('smoke: first turn') }, { wait: true, timeoutMs: turnTimeoutMs });
  if (first.turn.status !== 'completed') {
    return { ok: false, detail: `the first turn (needed to persist the thread) ended ${first.turn.status}: ${first.turn.error?.message ?? 'no error given'}` };
  }
  const { thread } = await client.resumeThread({ threadId, excludeTurns: true });
  if (thread.id !== threadId) return { ok: false, detail: `resumed thread ${thread.id}, expected ${threadId}` };
  return { ok: true, detail: `resumed ${threadId} (after a first turn: the server resumes only persisted threads)` };
}

/** Interrupts a turn that is still running, if it is, and waits for it to end; never throws. */
async function settleTurn(client: CasClient, tracked: TrackedTurn): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, SETTLE_MS, undefined);
  });
  const done = await Promise.race([tracked.completed, late]).catch(() => undefined);
  clearTimeout(timer);
  if (done !== undefined) return done.turn.status;
  await client.interruptTurn({ threadId: tracked.threadId, turnId: tracked.turn.id }).catch(() => undefined);
  const ended = await tracked.completed.catch(() => undefined);
  return ended === undefined ? 'unknown' : `${ended.turn.status} (interrupted to clean up)`;
}

/** `turn/start` of a turn the mock answers slowly, `turn/interrupt` once it runs, then `turn/completed` with status `interrupted`. */
export async function checkInterrupt({ client, threadId, turnTimeoutMs }: TurnCheckContext): Promise<CheckOutcome> {
  const tracked = await client.startTurn({ threadId, input: text('smoke: interrupt me') }, { timeoutMs: turnTimeoutMs });
  await tracked.started;
  try {
    await client.interruptTurn({ threadId, turnId: tracked.turn.id });
  } catch (error) {
    // Let the turn end first, so the next check does not find it still running.
    await settleTurn(client, tracked);
    throw error;
  }
  const { turn } = await tracked.completed;
  if (turn.status !== 'interrupted') return { ok: false, detail: `turn ${turn.id} completed with status ${turn.status}, expected interrupted` };
  return { ok: true, detail: `turn ${turn.id} started, interrupted; turn/completed status interrupted` };
}

/**
 * `turn/steer` on a running turn. A refusal because the precondition failed (no active turn, or
 * another turn active) still shows the method answers: ok, with the refusal as the detail.
 */
export async function checkSteer({ client, threadId, turnTimeoutMs }: TurnCheckContext): Promise<CheckOutcome> {
  const tracked = await client.startTurn({ threadId, input: text('smoke: steer me') }, { timeoutMs: turnTimeoutMs });
  await tracked.started;
  let outcome: CheckOutcome;
  try {
    const { turnId } = await client.steerTurn({ threadId, expectedTurnId: tracked.turn.id, input: text('smoke: steered') });
    outcome =
      turnId === tracked.turn.id
        ? { ok: true, detail: `steered turn ${turnId}` }
        : { ok: false, detail: `the steer went to turn ${turnId}, expected ${tracked.turn.id}` };
  } catch (error) {
    if (!isSteerPreconditionRejection(error)) {
      await settleTurn(client, tracked);
      throw error;
    }
    outcome = { ok: true, detail: `refused on a precondition (reached): ${error.message}` };
  }
  const status = await settleTurn(client, tracked);
  return { ...outcome, detail: `${outcome.detail}; the turn ended ${status}` };
}
