import { describe, expect, it } from 'vitest';
import { followThreadPages, type Page } from '../../src/client/thread-pages.js';

function pages(map: Record<string, Page<{ id: string }>>) {
  const asked: Array<string | null> = [];
  const fetchPage = async (cursor: string | null) => {
    asked.push(cursor);
    const page = map[cursor ?? ''];
    if (page === undefined) throw new Error(`no page at ${cursor}`);
    return page;
  };
  return { asked, fetchPage };
}

async function ids(iterable: AsyncIterable<{ id: string }>): Promise<string[]> {
  const out: string[] = [];
  for await (const thread of iterable) out.push(thread.id);
  return out;
}

describe('followThreadPages', () => {
  it('follows nextCursor to a null cursor', async () => {
    const { asked, fetchPage } = pages({
      '': { data: [{ id: 'a' }, { id: 'b' }], nextCursor: 'c1' },
      c1: { data: [{ id: 'c' }, { id: 'd' }], nextCursor: 'c2' },
      c2: { data: [{ id: 'e' }], nextCursor: null },
    });
    expect(await ids(followThreadPages(fetchPage))).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(asked).toEqual([null, 'c1', 'c2']);
  });

  it('ends when nextCursor is absent, and on an empty first page', async () => {
    expect(await ids(followThreadPages(pages({ '': { data: [{ id: 'a' }] } }).fetchPage))).toEqual(['a']);
    expect(await ids(followThreadPages(pages({ '': { data: [], nextCursor: null } }).fetchPage))).toEqual([]);
  });

  it('starts at a given cursor', async () => {
    const { asked, fetchPage } = pages({ c1: { data: [{ id: 'c' }], nextCursor: null } });
    expect(await ids(followThreadPages(fetchPage, 'c1'))).toEqual(['c']);
    expect(asked).toEqual(['c1']);
  });

  it('stops when the server hands back the cursor it was given', async () => {
    const { asked, fetchPage } = pages({
      '': { data: [{ id: 'a' }], nextCursor: 'c1' },
      c1: { data: [{ id: 'b' }], nextCursor: 'c1' },
    });
    expect(await ids(followThreadPages(fetchPage))).toEqual(['a', 'b']);
    expect(asked).toEqual([null, 'c1']);
  });

  it('fetches lazily: a reader that stops early fetches no more pages', async () => {
    const { asked, fetchPage } = pages({
      '': { data: [{ id: 'a' }, { id: 'b' }], nextCursor: 'c1' },
      c1: { data: [{ id: 'c' }], nextCursor: null },
    });
    for await (const thread of followThreadPages(fetchPage)) {
      expect(thread.id).toBe('a');
      break;
    }
    expect(asked).toEqual([null]);
  });
});
