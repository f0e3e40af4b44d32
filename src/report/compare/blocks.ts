import type { LoadedReport } from '../load-report.js';

/** The metrics a comparison reads, by name. */
export type MetricName = 'throughput' | 'p50' | 'p90' | 'p95' | 'p99' | 'p999' | 'max' | 'errorRate' | 'overloadRate';

/** One replicate of a run: a round of an alternating comparison, or a stretch of consecutive seconds. */
export type Block = Partial<Record<MetricName, number>>;

/** Where a run's replicates came from. */
export interface Blocks {
  from: 'rounds' | 'seconds';
  blocks: Block[];
}

/** Rounds each side of `cas run --compare-bin` runs unless told. */
export const DEFAULT_ROUNDS = 6;

/** One round of `cas run --compare-bin`, as its report records it. */
export interface RoundSummary {
  round: number;
  fromSecond: number;
  toSecond: number;
  wallMs: number;
  requests: number;
  failed: number;
  overloaded: number;
  latencyMs: { p50: number; p90: number; p95: number; p99: number; p999: number; max: number };
}

/** Stretches of seconds a run is cut into, at most: enough to see its noise, long enough that neighbours are near independent. */
export const MAX_SECOND_BLOCKS = 10;

const num = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

function roundBlocks(rounds: readonly RoundSummary[]): Block[] {
  return rounds
    .filter((round) => round.requests > 0 && round.wallMs > 0)
    .map((round) => ({
      throughput: (round.requests / round.wallMs) * 1000,
      p50: round.latencyMs.p50,
      p90: round.latencyMs.p90,
      p95: round.latencyMs.p95,
      p99: round.latencyMs.p99,
      p999: round.latencyMs.p999,
      max: round.latencyMs.max,
      errorRate: round.failed / round.requests,
      overloadRate: round.overloaded / round.requests,
    }));
}

interface Row {
  second: number;
  completed?: number;
  errors?: number;
  overloaded?: number;
  p50?: number | null;
  p90?: number | null;
  p99?: number | null;
}

/** The completion-weighted mean of one per-second percentile over rows. */
function weighted(rows: readonly Row[], key: 'p50' | 'p90' | 'p99'): number | undefined {
  let sum = 0;
  let weight = 0;
  for (const row of rows) {
    const value = row[key];
    if (num(value) && num(row.completed) && row.completed > 0) {
      sum += value * row.completed;
      weight += row.completed;
    }
  }
  return weight > 0 ? sum / weight : undefined;
}

function secondBlocks(report: LoadedReport): Block[] {
  const warmup = report.warmup as { ms?: unknown } | undefined;
  const skip = num(warmup?.ms) ? Math.ceil(warmup.ms / 1000) : 0;
  let rows = (report.timeline as unknown as Row[]).filter((row) => num(row.second) && row.second >= skip);
  // The last second is cut short by the end of the run: its counts would read as a slowdown.
  if (rows.length > 2) rows = rows.slice(0, -1);
  // Seconds with nothing in them (another side's round, a stall with nothing ended) carry no figure.
  rows = rows.filter((row) => num(row.completed) && row.completed > 0);
  const count = Math.min(MAX_SECOND_BLOCKS, rows.length);
  const blocks: Block[] = [];
  for (let j = 0; j < count; j++) {
    const part = rows.slice(Math.floor((j * rows.length) / count), Math.floor(((j + 1) * rows.length) / count));
    const completed = part.reduce((sum, row) => sum + (row.completed ?? 0), 0);
    const block: Block = { throughput: completed / part.length, errorRate: part.reduce((sum, row) => sum + (row.errors ?? 0), 0) / completed };
    if (part.every((row) => num(row.overloaded))) block.overloadRate = part.reduce((sum, row) => sum + row.overloaded!, 0) / completed;
    for (const key of ['p50', 'p90', 'p99'] as const) {
      const value = weighted(part, key);
      if (value !== undefined) block[key] = value;
    }
    blocks.push(block);
  }
  return blocks;
}

/** A run's replicates: its rounds when it alternated with another (three or more), else stretches of its seconds. */
export function blocksOf(report: LoadedReport): Blocks {
  const rounds = Array.isArray(report.rounds) ? (report.rounds as RoundSummary[]) : [];
  const fromRounds = roundBlocks(rounds);
  if (fromRounds.length >= 3) return { from: 'rounds', blocks: fromRounds };
  return { from: 'seconds', blocks: secondBlocks(report) };
}
