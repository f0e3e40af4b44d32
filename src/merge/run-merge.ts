import type { RunReport } from '../report/run-report.js';
import type { Sample } from '../report/run-stats.js';
import type { Thresholds } from '../report/thresholds.js';
import { MergeError } from './merge-error.js';
import type { RunFields } from './report-schema.js';

/** `cas run`'s own fields, merged. */
export type MergedRunFields = Pick<RunReport, 'method' | 'params' | 'rate' | 'measuredTo' | 'warmup' | 'startAt' | 'stoppedBecause'> & {
  samples: Array<Sample & { shard: number }>;
};

/**
 * Folds the fields only `cas run` reports have: what was run (the same in every shard),
 * the rates (summed: each shard sent its share), warm-up totals, samples with their shard,
 * why a shard stopped early, and the threshold limits the shards were given.
 */
export class RunMerge {
  readonly #samples = new Map<number, Array<Sample & { shard: number }>>();
  readonly #limits: Thresholds = {};
  #first: { file: string; fields: RunFields } | undefined;
  #rate: number | null = null;
  #warmup = { ms: 0, total: 0, ok: 0, failed: 0 };
  #sampleCount = 0;
  #stoppedBecause: string | null = null;

  add(file: string, fields: RunFields, shard: number): void {
    this.#checkSameWork(file, fields);
    if (fields.rate !== null) this.#rate = (this.#rate ?? 0) + fields.rate;
    this.#warmup.ms = Math.max(this.#warmup.ms, fields.warmup.ms);
    this.#warmup.total += fields.warmup.total;
    this.#warmup.ok += fields.warmup.ok;
    this.#warmup.failed += fields.warmup.failed;
    for (const check of fields.thresholds) {
      // Shards of one job were given the same limits; should they differ, the strictest holds.
      const key = check.name === 'max-p99-ms' ? 'maxP99Ms' : 'maxErrorRate';
      this.#limits[key] = Math.min(this.#limits[key] ?? Infinity, check.limit);
    }
    this.#stoppedBecause ??= fields.stoppedBecause ?? null;
    this.#sampleCount = Math.max(this.#sampleCount, fields.samples.length);
    this.#samples.set(shard, fields.samples.map((sample) => ({ shard, ...(sample as unknown as Sample) })));
  }

  #checkSameWork(file: string, fields: RunFields): void {
    if (this.#first === undefined) {
      this.#first = { file, fields };
      return;
    }
    const first = this.#first;
    const what = (f: RunFields) => `${f.method} ${JSON.stringify(f.params)}${f.rate === null ? '' : ' at a rate'}`;
    if (fields.method !== first.fields.method || JSON.stringify(fields.params) !== JSON.stringify(first.fields.params) || fields.measuredTo !== first.fields.measuredTo || (fields.rate === null) !== (first.fields.rate === null)) {
      throw new MergeError(`shards of different work: ${first.file} ran ${what(first.fields)}, ${file} ran ${what(fields)}`, 'shards');
    }
  }

  /** The limits the shards were run with (strictest of each). */
  get limits(): Thresholds {
    return { ...this.#limits };
  }

  result(): MergedRunFields {
    const first = this.#first!.fields;
    const samples = [...this.#samples].sort((a, b) => a[0] - b[0]).flatMap(([, list]) => list).slice(0, this.#sampleCount);
    return {
      method: first.method,
      params: first.params,
      rate: this.#rate === null ? null : Math.round(this.#rate * 1e6) / 1e6,
      measuredTo: first.measuredTo,
      warmup: { ...this.#warmup },
      startAt: first.startAt,
      stoppedBecause: this.#stoppedBecause,
      samples,
    };
  }
}
