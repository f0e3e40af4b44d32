import { stringifyJson } from '../json/stringify.js';
import * as z from 'zod';
import { LocalErrorCode, RpcErrorCode } from '../protocol/error-codes.js';
import type { OutcomeError, RequestOutcome } from '../runner/execute-request.js';
import { isItemEntry, isThread, pageOf, type ThreadShape } from './page-shapes.js';
import { jsonWithHole, ThreadLine } from './thread-line.js';

/** How much of each turn's items `--read` writes: all of them, the server's display summary, or none. */
export type ItemsMode = 'full' | 'summary' | 'none';

/** `thread/turns/list` page: the turns pass through whole (checked without copies by page-shapes.ts; this schema is checked against the server's). */
export const TurnsPageSchema = z.looseObject({
  data: z.array(z.looseObject({ id: z.string() })),
  nextCursor: z.string().nullable().optional(),
});

/** `thread/items/list` page: each entry names its turn; the item passes through whole. */
export const ItemsPageSchema = z.looseObject({
  data: z.array(z.looseObject({ turnId: z.string(), item: z.looseObject({}) })),
  nextCursor: z.string().nullable().optional(),
});

type Turn = ThreadShape;
type ItemEntry = { turnId: string; item: Record<string, unknown> };

/** A thread could not be read: the request that failed, and why. */
export class ReadFailure extends Error {
  readonly error: OutcomeError;
  constructor(error: OutcomeError) {
    super(error.message);
    this.error = error;
  }
}

/** Sends one page request (with cas's retries) on the thread's instance. */
export type PageRequest = (method: string, params: Record<string, unknown>) => Promise<RequestOutcome>;

export interface ReadThreadOptions {
  home: string;
  /** The thread as listed (its metadata); its turns are read here. */
  thread: { id: string } & Record<string, unknown>;
  items: ItemsMode;
  /** Turns or items per page. */
  pageSize: number;
  request: PageRequest;
  /** Redacts one JSON text. */
  redact(json: string): string;
  /** Where lines too big for memory go. */
  spillDir: string;
  spillBytes?: number;
}

/** Every entry of a paged list, fetched one page at a time as they are used. */
async function* entries<T>(request: PageRequest, method: string, params: Record<string, unknown>, entry: (value: unknown) => value is T): AsyncGenerator<T> {
  let cursor: string | null = null;
  for (;;) {
    const outcome = await request(method, cursor === null ? params : { ...params, cursor });
    if (!outcome.ok) throw new ReadFailure(outcome.error ?? { code: LocalErrorCode.unexpectedReply, message: `${method} failed` });
    const page = pageOf(outcome.result, entry);
    if (page === undefined) throw new ReadFailure({ code: LocalErrorCode.unexpectedReply, message: `${method} returned no page` });
    yield* page.data;
    if (page.nextCursor === null || page.nextCursor === cursor) return;
    cursor = page.nextCursor;
  }
}

/** An async iterator with one entry of look-ahead. */
class Peekable<T> {
  readonly #source: AsyncIterator<T>;
  #head: IteratorResult<T> | undefined;
  constructor(source: AsyncIterable<T>) {
    this.#source = source[Symbol.asyncIterator]();
  }
  async peek(): Promise<T | undefined> {
    this.#head ??= await this.#source.next();
    return this.#head.done === true ? undefined : this.#head.value;
  }
  take(): void {
    this.#head = undefined;
  }
}

/** Items of the thread came in an order that does not follow its turns: read it turn by turn instead. */
class OutOfOrder extends Error {}

/**
 * Reads a thread's history the paginated way (`thread/turns/list`, then `thread/items/list`)
 * into one output line shaped like `thread/read` with `includeTurns`: the thread, its turns
 * oldest first, each with its items. No page is held longer than it takes to write it down.
 * Threads with legacy history (no `thread/items/list` on 0.169.0) get their items inline from
 * `thread/turns/list`. Throws {@link ReadFailure} when a page cannot be had.
 */
export async function readThread(options: ReadThreadOptions): Promise<ThreadLine> {
  const legacy = options.thread.historyMode === 'legacy';
  const plans: Array<'merged' | 'perTurn' | 'inline'> = options.items !== 'full' || legacy ? ['inline'] : ['merged', 'perTurn'];
  for (;;) {
    const plan = plans.shift()!;
    const line = new ThreadLine(options.spillDir, options.spillBytes);
    try {
      await writeThread(options, line, plan);
      return line;
    } catch (error) {
      await line.dispose();
      const unsupported = error instanceof ReadFailure && error.error.code === RpcErrorCode.methodNotFound && plan !== 'inline';
      if (unsupported) plans.splice(0, plans.length, 'inline');
      else if (!(error instanceof OutOfOrder) || plans.length === 0) throw error instanceof OutOfOrder ? new ReadFailure({ code: LocalErrorCode.unexpectedReply, message: error.message }) : error;
    }
  }
}

async function writeThread(options: ReadThreadOptions, line: ThreadLine, plan: 'merged' | 'perTurn' | 'inline'): Promise<void> {
  const { request, redact, thread } = options;
  const outer = jsonWithHole((marker) => ({ codexHome: options.home, thread: { ...thread, turns: marker } }), redact);
  await line.add(`${outer.head}[`);
  const inlineView = options.items === 'full' ? 'full' : options.items === 'summary' ? 'summary' : 'notLoaded';
  const turnParams = { threadId: thread.id, sortDirection: 'asc', limit: options.pageSize, itemsView: plan === 'inline' ? inlineView : 'notLoaded' };
  const turns = entries(request, 'thread/turns/list', turnParams, isThread);
  const items = plan === 'merged' ? new Peekable(entries(request, 'thread/items/list', { threadId: thread.id, sortDirection: 'asc', limit: options.pageSize }, isItemEntry)) : undefined;
  let firstTurn = true;
  for await (const turn of turns) {
    const comma = firstTurn ? '' : ',';
    firstTurn = false;
    if (plan === 'inline') {
      await line.add(comma + redact(stringifyJson(turn)));
      continue;
    }
    const shell = jsonWithHole((marker) => ({ ...turn, items: marker, itemsView: 'full' }), redact);
    await line.add(`${comma}${shell.head}[`);
    const ofTurn = items === undefined ? entries(request, 'thread/items/list', { threadId: thread.id, turnId: turn.id, sortDirection: 'asc', limit: options.pageSize }, isItemEntry) : itemsOf(items, turn);
    let firstItem = true;
    for await (const entry of ofTurn) {
      await line.add((firstItem ? '' : ',') + redact(stringifyJson(entry.item)));
      firstItem = false;
    }
    await line.add(`]${shell.tail}`);
  }
  if (items !== undefined && (await items.peek()) !== undefined) throw new OutOfOrder(`thread/items/list returned an item of turn ${(await items.peek())!.turnId} out of the turns' order`);
  await line.add(`]${outer.tail}`);
}

/** The items at the head of a thread-wide item listing that belong to `turn`. */
async function* itemsOf(items: Peekable<ItemEntry>, turn: Turn): AsyncGenerator<ItemEntry> {
  for (let next = await items.peek(); next !== undefined && next.turnId === turn.id; next = await items.peek()) {
    items.take();
    yield next;
  }
}
