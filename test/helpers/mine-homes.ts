import { readFile } from 'node:fs/promises';
import { expect } from 'vitest';
import type { MineReport } from '../../src/mine/run-mine.js';
import { casRun } from './cas-cli.js';

/** Thread creation is about twice as fast without a shell snapshot per thread. */
export const FAST_THREADS = ['--codex-arg', '-c', '--codex-arg', 'features.shell_snapshot=false'];

/** Makes `count` threads in `home` by real turns against the loopback model (one turn each). */
export async function makeThreads(home: string, count: number, extra: readonly string[] = []): Promise<void> {
  const { report } = await casRun([
    '--method', 'turn/start', '--mock-model', '--fresh-thread', '--codex-home', home,
    '--instances', '2', '--concurrency', '4', '--requests', String(count), '--samples', '0', ...FAST_THREADS, ...extra,
  ]);
  expect(report.requests).toMatchObject({ total: count, ok: count });
}

/** Makes one thread of `turns` turns in `home` (one instance, one slot: every turn on its thread). */
export async function makeLongThread(home: string, turns: number, extra: readonly string[] = []): Promise<void> {
  const { report } = await casRun([
    '--method', 'turn/start', '--mock-model', '--codex-home', home,
    '--instances', '1', '--concurrency', '1', '--requests', String(turns), '--samples', '0', ...FAST_THREADS, ...extra,
  ]);
  expect(report.requests).toMatchObject({ total: turns, ok: turns });
}

/** A mine output line. */
export interface MinedLine {
  codexHome: string;
  thread?: { id: string; turns?: Array<{ id: string; items: unknown[]; itemsView: string }> } & Record<string, unknown>;
  threadId?: string;
  error?: { code: number | string; message: string };
}

export function linesOf(text: string): MinedLine[] {
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as MinedLine);
}

export async function readLines(file: string): Promise<MinedLine[]> {
  return linesOf(await readFile(file, 'utf8'));
}

export async function readReport(file: string): Promise<MineReport> {
  return JSON.parse(await readFile(file, 'utf8')) as MineReport;
}

/** The thread ids of whole lines, and the count of error lines. */
export function idsOf(lines: readonly MinedLine[]): { ids: string[]; errors: number } {
  return { ids: lines.flatMap((line) => (line.thread === undefined ? [] : [line.thread.id])), errors: lines.filter((line) => line.error !== undefined).length };
}
