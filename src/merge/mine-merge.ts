import type { MinedHome, MineReport } from '../mine/mine-report.js';
import type { BaseReport } from '../report/base-report.js';
import { homeShare } from '../shard/shard-share.js';
import type { Shard } from '../shard/shard-spec.js';
import { mergeListingChecks } from './listing-check-merge.js';
import { MergeError } from './merge-error.js';
import type { MinedHomeFields, MineFields } from './report-schema.js';
import { plural } from '../report/plural.js';
import { formatIndexes } from './shard-set.js';

/** A home of a merged mine: its shards' parts as one. */
export interface MergedMinedHome extends MinedHome {
  /** The shards that mined it: its one shard, or every shard for a home split by thread id. */
  shards: number[];
  /** Of those, the ones that did not finish their part: the home is done only when none is left. */
  unfinished: number[];
}

/** `cas mine`'s own fields, merged: every home of the job once, the shards' outputs in shard order. */
export type MergedMineFields = Omit<MineReport, keyof BaseReport | 'homes'> & {
  homes: MergedMinedHome[];
  /** Each shard's output (null: it wrote to stdout); concatenated, they hold every thread once. */
  outs: Array<{ shard: number; out: string | null }>;
};

interface HomeParts {
  home: string;
  share: MinedHome['share'];
  parts: Array<{ shard: number; fields: MinedHomeFields }>;
}

/** The same object whatever order its keys were written in. */
function canonical(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`).join(',')}}`;
}

/** What a mine mined and how, in a few words (what every shard of one job shares). */
function describeWork(fields: MineFields): string {
  const read = fields.read ? `--read --items ${fields.items}` : 'listing only';
  return `${plural(fields.homeCount, 'home')}, ${read}, --listing ${fields.listing}, since ${fields.since ?? 'the start'}, filters ${canonical(fields.filters)}`;
}

/**
 * Folds the fields only `cas mine` reports have: the threads summed, and each home from the
 * shard that mined it whole or from every shard that mined its share: counts added, listing
 * checks merged, done only when every part is. Shards must have mined the same homes the same way.
 */
export class MineMerge {
  readonly #homes = new Map<number, HomeParts>();
  readonly #threads = { listed: 0, read: 0, failed: 0, written: 0 };
  readonly #outs: Array<{ shard: number; out: string | null }> = [];
  #first: { file: string; fields: MineFields } | undefined;
  #listingStartedMs = Infinity;
  #resumed = false;

  add(file: string, fields: MineFields, shard: Shard): void {
    this.#checkSameWork(file, fields);
    for (const key of ['listed', 'read', 'failed', 'written'] as const) this.#threads[key] += fields.threads[key];
    this.#listingStartedMs = Math.min(this.#listingStartedMs, Date.parse(fields.listingStartedAt));
    this.#resumed ||= fields.resumed;
    this.#outs.push({ shard: shard.index, out: fields.out });
    for (const home of fields.homes) {
      const share = home.index < fields.homeCount ? homeShare(home.index, fields.homeCount, shard) : 'none';
      if (share !== home.share) {
        throw new MergeError(`${file}: home ${home.home} (${home.index} of ${fields.homeCount}) is not shard ${shard.index}/${shard.count}'s to mine ${home.share === 'split' ? 'in part' : 'whole'}`, 'shards');
      }
      const known = this.#homes.get(home.index);
      if (known !== undefined && known.home !== home.home) {
        throw new MergeError(`shards of different homes: home ${home.index} is ${known.home} to shard ${known.parts[0]!.shard}, ${home.home} to ${file}`, 'shards');
      }
      const entry = known ?? { home: home.home, share: home.share, parts: [] };
      entry.parts.push({ shard: shard.index, fields: home });
      this.#homes.set(home.index, entry);
    }
  }

  #checkSameWork(file: string, fields: MineFields): void {
    if (this.#first === undefined) {
      this.#first = { file, fields };
      return;
    }
    const [first, other] = [describeWork(this.#first.fields), describeWork(fields)];
    if (first !== other) throw new MergeError(`shards of different mines: ${this.#first.file} mined ${first}, ${file} ${other}`, 'shards');
  }

  /** Homes of the job no shard (or not every shard that should have) reported, once every shard is in. */
  problems(count: number): string[] {
    const homeCount = this.#first!.fields.homeCount;
    const problems: string[] = [];
    for (let index = 0; index < homeCount; index++) {
      const owners = homeCount >= count ? [index % count] : Array.from({ length: count }, (_, shard) => shard);
      const have = new Set(this.#homes.get(index)?.parts.map((part) => part.shard) ?? []);
      const lacking = owners.filter((shard) => !have.has(shard));
      const known = this.#homes.get(index)?.home;
      const name = known === undefined ? `home ${index} of ${homeCount}` : `${known} (home ${index} of ${homeCount})`;
      if (lacking.length > 0) problems.push(`${name} is in no report of shard${lacking.length === 1 ? '' : 's'} ${formatIndexes(lacking)}`);
    }
    return problems;
  }

  result(): MergedMineFields {
    const first = this.#first!.fields;
    const homes = [...this.#homes.entries()].sort((a, b) => a[0] - b[0]).map(([index, entry]) => mergeHome(index, entry));
    return {
      homes,
      threads: { ...this.#threads },
      homeCount: first.homeCount,
      read: first.read,
      items: first.items,
      listing: first.listing,
      filters: first.filters as MineReport['filters'],
      since: first.since,
      // The earliest: `--since` the merged report then misses nothing any shard's listing missed.
      listingStartedAt: new Date(this.#listingStartedMs).toISOString(),
      out: null,
      checkpoint: null,
      resumed: this.#resumed,
      outs: [...this.#outs].sort((a, b) => a.shard - b.shard),
    };
  }
}

/** One home from its parts (one for a whole home, one per shard for a split one). */
function mergeHome(index: number, entry: HomeParts): MergedMinedHome {
  const parts = [...entry.parts].sort((a, b) => a.shard - b.shard);
  const fields = parts.map((part) => part.fields);
  const sum = (key: 'threads' | 'failed') => fields.reduce((total, home) => total + home[key], 0);
  const errors = parts.filter((part) => part.fields.error !== null).map((part) => (parts.length === 1 ? part.fields.error! : `shard ${part.shard}: ${part.fields.error}`));
  return {
    home: entry.home,
    index,
    share: entry.share,
    // A cursor is one listing's; a split home was listed by every shard.
    cursor: parts.length === 1 ? fields[0]!.cursor : null,
    listed: fields.every((home) => home.listed),
    done: fields.every((home) => home.done),
    // Each shard listed the whole home: the pages of one listing.
    pages: Math.max(...fields.map((home) => home.pages)),
    threads: sum('threads'),
    failed: sum('failed'),
    retry: fields.flatMap((home) => home.retry),
    error: errors.length === 0 ? null : errors.join('; '),
    check: mergeListingChecks(fields.map((home) => home.check)),
    shards: parts.map((part) => part.shard),
    unfinished: parts.filter((part) => !part.fields.done).map((part) => part.shard),
  };
}
