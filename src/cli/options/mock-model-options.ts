import type { Argv } from 'yargs';
import * as z from 'zod';
import type { MockScript } from '../../mock-model/mock-script.js';
import { UsageError } from '../usage-error.js';
import { milliseconds, singleString } from './flag-schemas.js';
import { loadMockScript } from './mock-script-file.js';

const MOCK = 'Mock model:';

/** `--mock-model` and its script: turns offline, against a loopback model cas starts. */
export function withMockModelOptions<T>(yargs: Argv<T>) {
  return yargs
    .option('mock-model', { type: 'boolean', default: false, group: MOCK, describe: 'Start a loopback model and point every fresh home at it (offline turns)' })
    .option('mock-script', { type: 'string', group: MOCK, describe: 'Its script (JSON, as for cas mock-model --script)' })
    .option('mock-text', { type: 'string', group: MOCK, describe: 'Its reply text (default "ok")' })
    .option('mock-delay-ms', { type: 'number', group: MOCK, describe: 'Its delay before each reply, in ms' });
}

/** Validation of {@link withMockModelOptions}. */
export const MockModelFlagsSchema = z.object({
  mockModel: z.boolean(),
  mockScript: singleString.optional(),
  mockText: z.string({ error: 'must be given once, with a value' }).optional(),
  mockDelayMs: milliseconds.optional(),
});
export type MockModelFlags = z.infer<typeof MockModelFlagsSchema>;

/** The mock model's script when `--mock-model` is on; its other flags alone are a usage error. */
export async function resolveMockModel(flags: MockModelFlags): Promise<MockScript | undefined> {
  if (!flags.mockModel) {
    const stray = ['mockScript', 'mockText', 'mockDelayMs'].find((key) => flags[key as keyof MockModelFlags] !== undefined);
    if (stray !== undefined) throw new UsageError(`--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --mock-model`);
    return undefined;
  }
  return loadMockScript(flags.mockScript, '--mock-script', { text: flags.mockText, delayMs: flags.mockDelayMs });
}
