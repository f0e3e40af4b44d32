import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyRollouts } from '../helpers/home-copies.mjs';
import { CAS_BIN, ROOT } from '../helpers/cas-cli.js';
import { makeThreads } from '../helpers/mine-homes.js';

/** util-linux `script` when present, else python3's pty module: either gives cas a real terminal. */
const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Runs a shell command with stdout and stderr on a pseudo-terminal; returns everything the terminal got. */
async function inTerminal(command: string): Promise<string> {
  // A pseudo-terminal made without a size says 0 columns: give it one, as a real terminal has.
  const shell = `stty cols 200 2>/dev/null; ${command}`;
  const result = hasScript
    ? await execa('script', ['-qfec', shell, '/dev/null'], { reject: false, stdin: 'ignore', cwd: ROOT })
    : await execa('python3', ['-c', 'import pty, sys; sys.exit(pty.spawn(["sh", "-c", sys.argv[1]]) >> 8)', shell], { reject: false, stdin: 'ignore', cwd: ROOT });
  return String(result.stdout);
}

const cas = `${JSON.stringify(process.execPath)} ${JSON.stringify(CAS_BIN)}`;
const ESCAPE = '\u001b[';
/** The display's last act: back to its first line, erase to the end of the screen. */
const ERASED = /\r(?:\u001b\[\d+A)?\u001b\[J/;

/** What comes right before `marker`, to check the summary starts on a line the display erased. */
function before(output: string, marker: string): string {
  const at = output.indexOf(marker);
  expect(at, `"${marker}" in the terminal's output`).toBeGreaterThan(0);
  return output.slice(Math.max(0, at - 12), at);
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-progress-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('live progress on a terminal (real app-server)', () => {
  it('cas run: starting N instances, warm-up or measuring with the target rate and an ETA, p50/p99, then a summary on a clean line', async () => {
    const output = await inTerminal(`${cas} run -n 2 --duration 1 --rate 100 -m thread/list --params '{"limit":1}'`);
    expect(output).toContain('cas: starting 2 instances');
    expect(output).toMatch(/cas: (warm-up|measuring) · [\d,]+ requests · \ds\/1s · ETA \ds/);
    expect(output).toMatch(/[\d.,-]+ req\/s now \(target 100\)/);
    expect(output).toMatch(/p50 [\d.]+ ms · p99 [\d.]+ ms \(last 10s\) · 0 errors/);
    expect(before(output, 'cas run thread/list:')).toMatch(new RegExp(`${ERASED.source}$`));
    // Nothing of the display after the summary began.
    expect(output.slice(output.indexOf('cas run thread/list:'))).not.toContain(ESCAPE);
  });

  it('cas batch: lines read, written and pending; the share of a file read, none of a pipe', async () => {
    const input = path.join(dir, 'in.jsonl');
    await writeFile(input, Array.from({ length: 40 }, (_, i) => JSON.stringify({ id: i, method: 'thread/list', params: { limit: 1 } })).join('\n') + '\nnot json\n');
    const output = await inTerminal(`${cas} batch -i ${input} -o ${path.join(dir, 'out.jsonl')}`);
    expect(output).toContain('cas: starting 1 instance ·');
    expect(output).toMatch(/41 lines read \(100% of the input\), 41 written, 0 pending/);
    expect(output).toMatch(/· 1 error\b/);
    expect(output).toContain('errors: 1 bad-input');
    expect(before(output, 'cas batch')).toMatch(new RegExp(`${ERASED.source}$`));
    // From a pipe the input's size is unknown: counts, but no share of it (nor an ETA from one).
    const piped = await inTerminal(`cat ${input} | ${cas} batch -i - -o ${path.join(dir, 'piped.jsonl')}`);
    expect(piped).toMatch(/41 lines read, 41 written, 0 pending/);
    expect(piped).not.toContain('of the input');
  });

  it('cas mine: each home listed and written, and the total once known', async () => {
    const template = path.join(dir, 'template');
    await makeThreads(template, 1);
    const homes = ['a', 'b'].map((name) => path.join(dir, name));
    for (const home of homes) await copyRollouts({ from: template, to: home, count: 30, slim: true });
    const output = await inTerminal(`${cas} mine --codex-home ${homes[0]} --codex-home ${homes[1]} --out ${path.join(dir, 'mined.jsonl')}`);
    expect(output).toContain('cas: starting 2 instances');
    expect(output).toMatch(/threads\/s now/);
    expect(output).toMatch(/ {2}a: \w+, \d+ listed, \d+\/30 written/);
    expect(output).toMatch(/ {2}b: done, 30 listed, 30\/30 written/);
    expect(output).toMatch(/60\/60 threads \(100%\)/);
    expect((await readFile(path.join(dir, 'mined.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(60);
  });

  it('with stderr not a terminal (stdout still one), no progress and no escape codes', async () => {
    const stderrFile = path.join(dir, 'stderr.txt');
    const output = await inTerminal(`${cas} run -n 2 --duration 1 --rate 50 -m thread/list --params '{"limit":1}' 2>${stderrFile}`);
    expect(output).toContain('cas run thread/list:');
    const stderr = await readFile(stderrFile, 'utf8');
    expect(stderr).not.toContain(ESCAPE);
    expect(stderr).not.toMatch(/req\/s now|starting 2 instances|measuring/);
    expect(output).not.toMatch(/req\/s now|starting 2 instances/);
  });
});
