import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CasClient } from '../../src/client/cas-client.js';
import { cas } from '../helpers/cas-cli.js';
import { idsOf, linesOf, makeLongThread, makeThreads, readLines, type MinedLine } from '../helpers/mine-homes.js';

const TURNS = 6;

let dir: string;
let home: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-mine-read-'));
  home = path.join(dir, 'home');
  await makeThreads(home, 3);
  // A thread with more turns (and items) than one page of 2.
  await makeLongThread(home, TURNS);
  // A thread whose model ran a command: a commandExecution item, with its output.
  const script = path.join(dir, 'exec.json');
  await writeFile(script, JSON.stringify({ steps: [{ functionCall: { name: 'exec_command', arguments: { cmd: 'echo mined', sandbox_permissions: 'require_escalated', justification: 'test' } } }] }));
  await makeThreads(home, 1, ['--mock-script', script, '--exec-approval', 'accept', '--thread-params', JSON.stringify({ approvalPolicy: 'untrusted', cwd: dir })]);
}, 180_000);

afterAll(() => rm(dir, { recursive: true, force: true }));

/** What `thread/read` with `includeTurns` says of each thread, from the same home. */
async function readWhole(ids: readonly string[]): Promise<Map<string, Record<string, unknown> & { turns: unknown[] }>> {
  const client = await CasClient.start({ codexHome: home });
  try {
    const threads = new Map<string, Record<string, unknown> & { turns: unknown[] }>();
    for (const id of ids) {
      // Raw, as the server sent it: client.request would parse it (known fields first).
      const result = (await client.connection.request('thread/read', { threadId: id, includeTurns: true })) as { thread: Record<string, unknown> & { turns: unknown[] } };
      threads.set(id, result.thread);
    }
    return threads;
  } finally {
    await client.close();
  }
}

describe('cas mine --read through thread/turns/list and thread/items/list', () => {
  let lines: MinedLine[];

  beforeAll(async () => {
    const out = path.join(dir, 'read.jsonl');
    // Pages of 2 turns and 2 items: the long thread takes several of each.
    const { exitCode } = await cas(['mine', '--codex-home', home, '--read', '--history-page-size', '2', '--instances', '2', '--out', out]);
    expect(exitCode).toBe(0);
    lines = await readLines(out);
  }, 120_000);

  it('pages a thread with more turns and items than one page, oldest turn first', () => {
    const long = lines.find((line) => line.thread!.turns!.length === TURNS);
    expect(long).toBeDefined();
    expect(long!.thread!.turns!.every((turn) => turn.items.length >= 2 && turn.itemsView === 'full')).toBe(true);
    const started = long!.thread!.turns!.map((turn) => (turn as unknown as { startedAt: number }).startedAt);
    expect(started).toEqual([...started].sort((a, b) => a - b));
  });

  it('writes, turn by turn and item by item, what thread/read with includeTurns gives', async () => {
    expect(lines).toHaveLength(5);
    const whole = await readWhole(idsOf(lines).ids);
    const commandItems = lines.flatMap((line) => line.thread!.turns!.flatMap((turn) => turn.items)).filter((item) => (item as { type?: string }).type === 'commandExecution');
    expect(commandItems).toHaveLength(1);
    for (const line of lines) {
      const expected = whole.get(line.thread!.id)!;
      expect(line.thread!.turns).toHaveLength(expected.turns.length);
      line.thread!.turns!.forEach((turn, index) => expect(turn).toEqual(expected.turns[index]));
      expect(Object.keys(line.thread!)).toEqual(Object.keys(expected));
    }
  });

  it('--items summary and --items none ask the server for less', async () => {
    const summary = await cas(['mine', '--codex-home', home, '--read', '--items', 'summary']);
    expect(summary.exitCode).toBe(0);
    const turns = linesOf(summary.stdout).flatMap((line) => line.thread!.turns!);
    expect(turns.every((turn) => turn.itemsView === 'summary')).toBe(true);
    const none = await cas(['mine', '--codex-home', home, '--read', '--items', 'none']);
    expect(none.exitCode).toBe(0);
    const bare = linesOf(none.stdout).flatMap((line) => line.thread!.turns!);
    expect(bare).toHaveLength(turns.length);
    expect(bare.every((turn) => turn.itemsView === 'notLoaded' && turn.items.length === 0)).toBe(true);
    const without = await cas(['mine', '--codex-home', home, '--items', 'none']);
    expect(without.exitCode).toBe(2);
    expect(without.stderr).toMatch(/--items applies to --read/);
  });

  it('--verify also compares with the scan listing and every rollout, and agrees on a healthy home', async () => {
    const reportFile = path.join(dir, 'verify.json');
    const { exitCode, stderr } = await cas(['mine', '--codex-home', home, '--verify', '--report', reportFile, '--out', path.join(dir, 'verify.jsonl')]);
    expect(exitCode).toBe(0);
    expect(stderr).toMatch(/matches its rollout files and the scan listing/);
    const { homes } = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(reportFile, 'utf8'))) as { homes: Array<{ check: Record<string, unknown> }> };
    expect(homes[0]!.check).toMatchObject({ against: 'rollouts+scan', mismatched: 0, scan: { listed: 5, limited: false, onlyInScan: 0, onlyInIndex: 0 }, agrees: true });
  });
});
