import type { Argv } from 'yargs';
import * as z from 'zod';
import { isLoopbackHost, startMockModel, type MockModelStats } from '../../mock-model/mock-model-server.js';
import type { CliIo } from '../cli-io.js';
import { ExitCode } from '../exit-codes.js';
import { milliseconds, nonNegativeInt, singleString } from '../options/flag-schemas.js';
import { validate } from '../options/validate.js';
import { loadMockScript } from '../options/mock-script-file.js';

const SERVER = 'Server:';
const REPLIES = 'Replies:';

/** `cas mock-model` flags. */
export function mockModelBuilder<T>(yargs: Argv<T>) {
  return yargs
    .option('port', { type: 'number', default: 0, group: SERVER, describe: 'Port to listen on (0 = a free port)' })
    .option('host', { type: 'string', default: '127.0.0.1', group: SERVER, describe: 'Loopback address to bind' })
    .option('text', { type: 'string', group: REPLIES, describe: 'The reply when the script has no steps (default "ok")' })
    .option('delay-ms', { type: 'number', group: REPLIES, describe: 'Wait this long before each reply, in ms (default 0)' })
    .option('input-tokens', { type: 'number', group: REPLIES, describe: 'Input tokens reported per reply' })
    .option('output-tokens', { type: 'number', group: REPLIES, describe: 'Output tokens reported per reply' })
    .option('script', { type: 'string', group: REPLIES, describe: 'A JSON script of replies (steps, text, delayMs, usage, afterToolText); flags override its defaults' });
}

const MockModelOptionsSchema = z.object({
  port: nonNegativeInt.max(65535, { error: 'must be at most 65535' }),
  host: singleString.refine(isLoopbackHost, { error: 'must be a loopback address (127.x.x.x, ::1 or localhost)' }),
  text: z.string({ error: 'must be given once, with a value' }).optional(),
  delayMs: milliseconds.optional(),
  inputTokens: nonNegativeInt.optional(),
  outputTokens: nonNegativeInt.optional(),
  script: singleString.optional(),
});

/** Resolves on the first SIGINT or SIGTERM; the handlers are removed then. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function summary(stats: MockModelStats): string {
  const kinds = [count(stats.byKind.message, 'message'), count(stats.byKind.functionCall, 'function call'), count(stats.toolFollowUps, 'tool follow-up')];
  return `cas mock-model: served ${count(stats.requests, 'request')} (${kinds.join(', ')}), refused ${stats.rejected}\n`;
}

/**
 * `cas mock-model`: serves a scripted Responses API model on loopback until SIGINT/SIGTERM.
 * Prints `{"url","port"}` as one JSON line on stdout once listening; exits 0 when stopped.
 */
export async function runMockModel(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const options = validate(MockModelOptionsSchema, argv);
  const script = await loadMockScript(options.script, '--script', options);
  const mock = await startMockModel({ port: options.port, host: options.host, script });
  // Listening before the handlers: a failed start leaves no handler behind, and nobody knows the port yet.
  const stopped = untilSignal();
  io.stdout.write(`${JSON.stringify({ url: mock.url, port: mock.port })}\n`);
  await stopped;
  await mock.close();
  io.stderr.write(summary(mock.stats));
  return ExitCode.ok;
}
