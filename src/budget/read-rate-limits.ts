import { CasClient } from '../client/cas-client.js';
import type { ResolvedCodex } from '../codex/resolve-codex.js';
import { computeBudget, type BudgetSnapshot } from './governor.js';
import { RATE_LIMITS_READ, RateLimitsResultSchema, type RateLimitsResult } from './rate-limits.js';

/** Options of {@link readRateLimits}. */
export interface ReadRateLimitsOptions {
  codex?: ResolvedCodex;
  codexArgs?: readonly string[];
  /** The home whose account is read (its auth.json must hold a ChatGPT login). */
  codexHome: string;
  /** The app-server's working directory. */
  cwd?: string;
  requestTimeoutMs?: number;
}

/** The account's rate limits as the server answered, and the budget they give now. */
export interface RateLimitsReading {
  rateLimits: RateLimitsResult;
  budget: BudgetSnapshot;
}

/** Starts one app-server on the home, reads `account/rateLimits/read` and normalizes it. */
export async function readRateLimits(options: ReadRateLimitsOptions): Promise<RateLimitsReading> {
  const client = await CasClient.start({
    codex: options.codex,
    codexArgs: options.codexArgs,
    codexHome: options.codexHome,
    cwd: options.cwd,
    requestTimeoutMs: options.requestTimeoutMs,
    clientInfo: { name: 'cas-rate-limits', title: 'cas rate-limits', version: '0.1.0' },
  });
  try {
    const rateLimits = await client.request(RATE_LIMITS_READ, {}, { schema: RateLimitsResultSchema });
    return { rateLimits, budget: computeBudget(rateLimits) };
  } finally {
    await client.close();
  }
}
