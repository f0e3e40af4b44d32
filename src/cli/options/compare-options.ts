import type { Argv } from 'yargs';
import * as z from 'zod';
import { DEFAULT_ROUNDS } from '../../report/compare/blocks.js';
import { positiveInt, singleString } from './flag-schemas.js';

/** --max-regression: a percentage, 0 or more. */
export const maxRegressionSchema = z.number({ error: 'must be a number' }).min(0, { error: 'must not be negative' }).finite({ error: 'must be a number' });

export const COMPARE = 'Comparing two codex binaries:';

/** `--compare-bin` and its companions. */
export function withCompareOptions<T>(yargs: Argv<T>) {
  return yargs
    .option('compare-bin', { type: 'string', group: COMPARE, describe: 'Run the same workload on this codex too (B; A is --codex-bin or the default), in alternating rounds, and compare' })
    .option('rounds', { type: 'number', group: COMPARE, describe: `Rounds each side runs, alternating A B, B A, ... (default ${DEFAULT_ROUNDS})` })
    .option('max-regression', { type: 'number', group: COMPARE, describe: 'Exit 3 when B is slower than A (p50, p90, p99 or throughput) by more than this %, beyond noise' });
}

/** Validation of {@link withCompareOptions}. */
export const CompareFlagsSchema = z.object({
  compareBin: singleString.optional(),
  rounds: positiveInt.min(2, { error: 'must be at least 2' }).optional(),
  maxRegression: maxRegressionSchema.optional(),
});

