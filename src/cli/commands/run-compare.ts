import { CodexNotFoundError, resolveCodex, type ResolvedCodex } from '../../codex/resolve-codex.js';
import { compareSummary } from '../../report/compare/compare-summary.js';
import { formatRunSummary } from '../../report/human-summary.js';
import { DEFAULT_ROUNDS } from '../../report/compare/blocks.js';
import { runCompareBins, type CompareBinsResult } from '../../runner/compare-bins.js';
import type { ResolvedWorkloadOptions } from '../options/workload-options.js';
import type { CliIo } from '../cli-io.js';
import { ExitCode } from '../exit-codes.js';
import { handleInterrupts } from '../interrupts.js';
import { createProgressDisplay } from '../progress/progress-display.js';
import { runSampler } from '../progress/progress-sampler.js';
import { writeComparisonOutputs } from '../report-outputs.js';
import { UsageError } from '../usage-error.js';
import { describeCheck, loadOptions, openRecords, type RunOptions } from './run-options.js';

/** The second codex, found like the first. */
function resolveB(bin: string): ResolvedCodex {
  try {
    return { ...resolveCodex({ codexBin: bin }), source: 'compare' };
  } catch (error) {
    // Found by the same rules as --codex-bin, but named as the flag the user gave.
    if (error instanceof CodexNotFoundError) throw new UsageError(error.message.replace(/--codex-bin/g, '--compare-bin'));
    throw error;
  }
}

/** `cas run --compare-bin`: both reports and the comparison; exit 3 on a crossed threshold or a regression. */
export async function runCompareBinCommand(
  options: RunOptions,
  resolved: ResolvedWorkloadOptions & { method: string; params: Record<string, unknown> },
  threadParams: Record<string, unknown>,
  io: CliIo,
): Promise<number> {
  const compareCodex = resolveB(options.compareBin!);
  const rounds = options.rounds ?? DEFAULT_ROUNDS;
  if (options.requests !== undefined && options.requests < rounds) throw new UsageError(`--requests ${options.requests} is fewer than --rounds ${rounds}: each round needs one at least`);
  const records = options.records === undefined ? undefined : await openRecords(options.records);
  const progress = createProgressDisplay(options.progress, runSampler(options.rate ?? null));
  // A signal's notice is written above the display, not glued onto it.
  const interrupts = handleInterrupts(progress.above(io.stderr));
  let result: CompareBinsResult;
  try {
    result = await runCompareBins({
      ...resolved,
      ...loadOptions(options, threadParams),
      compareCodex,
      rounds,
      maxRegressionPct: options.maxRegression,
      onSideRecord: records === undefined ? undefined : (side, record) => records.write({ run: side, ...record }),
      onProgress: (snapshot) => progress.update(snapshot),
      signal: interrupts.signal,
    });
  } finally {
    progress.stop();
    interrupts.dispose();
    await records?.close();
  }
  result = resolved.redactor.value(result);
  await writeComparisonOutputs(result, options);
  io.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : `A: ${formatRunSummary(result.a)}B: ${formatRunSummary(result.b)}${compareSummary(result.comparison)}`);
  for (const [name, report] of [['A', result.a], ['B', result.b]] as const) {
    for (const failure of report.instances.failed) io.stderr.write(`cas: ${name} instance ${failure.index} failed to start: ${failure.error}\n`);
  }
  if (interrupts.exitCode !== undefined) return interrupts.exitCode;
  const crossed = [...result.a.thresholds.map((check) => ['A', check] as const), ...result.b.thresholds.map((check) => ['B', check] as const)].filter(([, check]) => check.crossed);
  for (const [name, check] of crossed) io.stderr.write(`cas: threshold crossed on ${name}: ${describeCheck(check)}\n`);
  if (result.comparison.regressions.length > 0) {
    io.stderr.write(`cas: B regressed beyond --max-regression ${options.maxRegression}%: ${result.comparison.regressions.join(', ')}\n`);
  }
  if (crossed.length > 0 || result.comparison.regressions.length > 0) return ExitCode.threshold;
  const failed = [result.a, result.b].some((report) => report.requests.failed > 0 || report.instances.failed.length > 0);
  return failed ? ExitCode.failed : ExitCode.ok;
}
