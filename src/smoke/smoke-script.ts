import type { MockScriptInput } from '../mock-model/mock-script.js';

/**
 * How long the mock takes on every reply after the first: long enough that a turn is still
 * running when it is interrupted or steered. Short, because the server lets a model request in
 * flight finish before it sends steered input (codex 0.169.0), so a steered turn takes two.
 */
export const SMOKE_SLOW_REPLY_MS = 1500;

/** Slow replies in the script: more than the checks make (an interrupt may even come before any). */
const SLOW_REPLIES = 7;

/**
 * The mock model's replies, one per model request: a quick one for the first turn (it persists
 * the thread so it can be resumed), then only slow ones. The same reply whatever the order,
 * since whether an interrupted turn reached the model at all is down to timing.
 */
export const SMOKE_SCRIPT: MockScriptInput = {
  steps: [{ text: 'smoke: first turn' }, ...Array.from({ length: SLOW_REPLIES }, () => ({ text: 'smoke: slow reply', delayMs: SMOKE_SLOW_REPLY_MS }))],
};
