import type { Argv } from 'yargs';
import * as z from 'zod';

/** `--server-stats`: sample each app-server's CPU and memory (on by default; `--no-server-stats` turns it off). */
export function withServerStatsOption<T>(yargs: Argv<T>) {
  return yargs.option('server-stats', {
    type: 'boolean',
    default: true,
    group: 'Output:',
    describe: "Sample each app-server's CPU and memory (and server/diagnostics) every second into the report (--no-server-stats)",
  });
}

/** Validation of {@link withServerStatsOption}. */
export const ServerStatsFlagsSchema = z.object({ serverStats: z.boolean() });
