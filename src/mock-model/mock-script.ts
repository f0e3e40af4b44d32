import * as z from 'zod';
import { MockRateLimitsSchema, type MockRateLimits } from './rate-limit-headers.js';

/** A token count in a script: a whole number >= 0. */
const tokenCount = z.number().int().min(0);

/** Token usage reported in `response.completed`. */
export const MockUsageSchema = z.strictObject({
  inputTokens: tokenCount,
  outputTokens: tokenCount,
});
export type MockUsage = z.infer<typeof MockUsageSchema>;

/** Usage when the script names none: small, so token accounting stays readable. */
export const DEFAULT_MOCK_USAGE: MockUsage = { inputTokens: 10, outputTokens: 2 };

const delayMs = z.number().int().min(0);

/** A step that answers with an assistant message. */
const TextStepSchema = z.strictObject({
  text: z.string(),
  delayMs: delayMs.optional(),
  usage: MockUsageSchema.optional(),
  /** Rate limits reported with the reply (response headers). */
  rateLimits: MockRateLimitsSchema.optional(),
});

/** A step that answers with a `function_call` item; an object `arguments` is sent as its JSON text. */
const FunctionCallStepSchema = z.strictObject({
  functionCall: z.strictObject({
    name: z.string().min(1),
    arguments: z.union([z.record(z.string(), z.unknown()), z.string()]),
  }),
  delayMs: delayMs.optional(),
  usage: MockUsageSchema.optional(),
  rateLimits: MockRateLimitsSchema.optional(),
});

/** One scripted model reply. */
export const MockStepSchema = z.union([TextStepSchema, FunctionCallStepSchema], {
  error: 'must be {"text": string} or {"functionCall": {"name": string, "arguments": object | string}}',
});
export type MockStep = z.infer<typeof MockStepSchema>;

/** What the mock model answers: the JSON of `cas mock-model --script FILE`. */
export const MockScriptSchema = z.strictObject({
  /** Replies served round-robin to requests that are not tool follow-ups. */
  steps: z.array(MockStepSchema).default([]),
  /** The reply when there are no steps. */
  text: z.string().default('ok'),
  /** Delay before every reply whose step names none, in ms. */
  delayMs: delayMs.default(0),
  /** Usage of every reply whose step names none. */
  usage: MockUsageSchema.default(DEFAULT_MOCK_USAGE),
  /** The reply once a tool result came back (the request's input ends with a `function_call_output`). */
  afterToolText: z.string().default('done'),
});
/** A script with every default filled in. */
export type MockScript = z.infer<typeof MockScriptSchema>;
/** A script as written: every field optional. */
export type MockScriptInput = z.input<typeof MockScriptSchema>;

/** A script that does not parse or does not match the schema; the message is one line. */
export class MockScriptError extends Error {
  override name = 'MockScriptError';
}

/** Validates a script value, filling in the defaults; throws a one-line {@link MockScriptError}. */
export function resolveMockScript(value: unknown): MockScript {
  const parsed = MockScriptSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length === 0 ? 'script' : issue.path.map(String).join('.');
  throw new MockScriptError(`${where}: ${issue.message}`);
}

/** Parses the JSON text of a script file; throws a one-line {@link MockScriptError}. */
export function parseMockScript(text: string): MockScript {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new MockScriptError(`not valid JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  return resolveMockScript(value);
}

/** CLI-ish inputs of {@link buildMockScript}; flags override the script file's top-level values. */
export interface MockScriptOptions {
  /** `--text`: the default reply. */
  text?: string;
  /** `--delay-ms`: the default delay. */
  delayMs?: number;
  /** `--input-tokens`: the default usage's input tokens. */
  inputTokens?: number;
  /** `--output-tokens`: the default usage's output tokens. */
  outputTokens?: number;
  /** The contents of `--script FILE`. */
  scriptText?: string;
}

/** Builds a script from a script file's contents and flags; throws a one-line {@link MockScriptError}. */
export function buildMockScript(options: MockScriptOptions = {}): MockScript {
  const base = options.scriptText === undefined ? resolveMockScript({}) : parseMockScript(options.scriptText);
  return {
    ...base,
    text: options.text ?? base.text,
    delayMs: options.delayMs ?? base.delayMs,
    usage: {
      inputTokens: options.inputTokens ?? base.usage.inputTokens,
      outputTokens: options.outputTokens ?? base.usage.outputTokens,
    },
  };
}

/** The kinds of reply the mock model sends. */
export type MockReplyKind = 'message' | 'functionCall';

/** One reply, ready to be turned into Server-Sent Events. */
export type MockReply = {
  /** Wait this long before answering, in ms. */
  delayMs: number;
  /** Token usage reported in `response.completed`. */
  usage: MockUsage;
  /** Rate limits reported in the response headers. */
  rateLimits?: MockRateLimits;
} & ({ kind: 'message'; text: string } | { kind: 'functionCall'; name: string; arguments: string });

/** Picks the reply to each request; one player is shared by every request a server gets. */
export interface MockScriptPlayer {
  /** The reply to the next request; `toolFollowUp` when its input ends with a tool result. */
  next(toolFollowUp: boolean): MockReply;
}

function replyOf(step: MockStep, script: MockScript): MockReply {
  const timing = { delayMs: step.delayMs ?? script.delayMs, usage: step.usage ?? script.usage, ...(step.rateLimits === undefined ? {} : { rateLimits: step.rateLimits }) };
  if ('text' in step) return { kind: 'message', text: step.text, ...timing };
  const args = step.functionCall.arguments;
  return { kind: 'functionCall', name: step.functionCall.name, arguments: typeof args === 'string' ? args : JSON.stringify(args), ...timing };
}

/**
 * Serves a script: tool follow-ups get `afterToolText` (the model finishes the turn); other
 * requests take the steps round-robin, or the default text when there are none.
 */
export function playMockScript(script: MockScript): MockScriptPlayer {
  let served = 0;
  return {
    next(toolFollowUp) {
      if (toolFollowUp) return { kind: 'message', text: script.afterToolText, delayMs: script.delayMs, usage: script.usage };
      const step = script.steps[served % Math.max(1, script.steps.length)];
      served++;
      return step === undefined ? replyOf({ text: script.text }, script) : replyOf(step, script);
    },
  };
}
