import { lstat, mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../../src/batch/run-batch.js';
import type { RunReport } from '../../src/report/run-report.js';
import { expectAccounted } from '../helpers/accounting.js';
import { CAS_BIN, cas, fixture, ROOT } from '../helpers/cas-cli.js';
import { ProxyDriver } from '../helpers/proxy-driver.js';
import { until } from '../helpers/run-watch.js';

let dir: string;
let requests: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-paths-'));
  requests = path.join(dir, 'requests.jsonl');
  await writeFile(requests, `${Array.from({ length: 20 }, (_, i) => JSON.stringify({ id: i, method: 'thread/list', params: { limit: 1 } })).join('\n')}\n`);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('where cas writes', () => {
  it('writes a report through a symbolic link: the link stays, its target gets the report', async () => {
    const target = path.join(dir, 'target.json');
    const link = path.join(dir, 'link.json');
    await writeFile(target, 'old');
    await symlink(target, link);
    const { exitCode } = await cas(['run', '--requests', '2', '--out', link]);
    expect(exitCode).toBe(0);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe(target);
    expect((JSON.parse(await readFile(target, 'utf8')) as RunReport).requests.total).toBe(2);
  });

  it('makes the target of a dangling link', async () => {
    const target = path.join(dir, 'made-by-cas.json');
    const link = path.join(dir, 'dangling.json');
    await symlink(target, link);
    expect((await cas(['run', '--requests', '1', '--out', link])).exitCode).toBe(0);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect((JSON.parse(await readFile(target, 'utf8')) as RunReport).requests.total).toBe(1);
  });

  it('writes into a FIFO in place, so its reader gets the report and the FIFO stays one', async () => {
    const fifo = path.join(dir, 'report.fifo');
    await execa('mkfifo', [fifo]);
    const reader = readFile(fifo, 'utf8');
    const { exitCode } = await cas(['batch', '--input', requests, '--report', fifo, '--out', path.join(dir, 'fifo-out.jsonl')]);
    expect(exitCode).toBe(0);
    expect((JSON.parse(await reader) as BatchReport).lines.read).toBe(20);
    expect((await stat(fifo)).isFIFO()).toBe(true);
  });

  it('never turns a device into a file: a full one fails in one line', async () => {
    const { exitCode, stderr } = await cas(['batch', '--input', requests, '--out', '/dev/full']);
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(/^cas: --out \/dev\/full: write failed: ENOSPC/m);
    expect((await stat('/dev/full')).isCharacterDevice()).toBe(true);
  });

  it('refuses a directory, before any work', async () => {
    const out = path.join(dir, 'a-dir');
    await mkdir(out);
    for (const args of [['run', '--out', out], ['batch', '--input', requests, '--report', out], ['run', '--records', out]]) {
      const { exitCode, stderr, stdout } = await cas(args);
      expect(exitCode).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(new RegExp(`^cas: --(out|report|records) ${out}: is a directory$`));
    }
  });

  it('refuses to write over its own input, and two outputs into one file', async () => {
    const before = await readFile(requests, 'utf8');
    const same = await cas(['batch', '--input', requests, '--out', requests]);
    expect(same.exitCode).toBe(2);
    expect(same.stderr).toBe(`cas: --out ${requests} is the same file as --input ${requests}`);
    expect(await readFile(requests, 'utf8')).toBe(before);
    const link = path.join(dir, 'requests-link.jsonl');
    await symlink(requests, link);
    expect((await cas(['batch', '--input', link, '--out', requests])).exitCode).toBe(2);
    const both = await cas(['run', '--out', path.join(dir, 'r.json'), '--records', path.join(dir, 'r.json')]);
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toMatch(/--records .* is the same file as --out/);
  });
});

describe('what one run owns', () => {
  it('a second batch writing the same output is refused while the first runs', async () => {
    const out = path.join(dir, 'shared-out.jsonl');
    const first = execa(process.execPath, [CAS_BIN, 'batch', '--input', '-', '--out', out], { cwd: ROOT, reject: false, stdin: 'pipe' });
    first.stdin!.write(`${JSON.stringify({ method: 'thread/list', params: { limit: 1 } })}\n`);
    await until(async () => (await readFile(out, 'utf8').catch(() => '')).length > 0);
    const second = await cas(['batch', '--input', requests, '--out', out]);
    expect(second.exitCode).toBe(2);
    expect(second.stderr).toMatch(/^cas: --out .*shared-out\.jsonl is in use by another cas \(pid \d+/);
    first.stdin!.end();
    expect((await first).exitCode).toBe(0);
    // Released: a later batch may write it.
    expect((await cas(['batch', '--input', requests, '--out', out])).exitCode).toBe(0);
  });

  it('a lock left by a cas that died is taken over', async () => {
    const out = path.join(dir, 'stale-out.jsonl');
    await writeFile(`${out}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), startedAt: 'then' }));
    expect((await cas(['batch', '--input', requests, '--out', out])).exitCode).toBe(0);
  });

  it('two runs sharing a state dir: the second is refused', async () => {
    const stateDir = path.join(dir, 'shared-state');
    const first = execa(process.execPath, [CAS_BIN, 'run', '--duration', '60', '--state-dir', stateDir], { cwd: ROOT, reject: false });
    await until(async () => (await readFile(path.join(stateDir, 'instance-0.json'), 'utf8').catch(() => '')).includes('"ready"'));
    const second = await cas(['run', '--requests', '1', '--state-dir', stateDir]);
    expect(second.exitCode).toBe(2);
    expect(second.stderr).toMatch(/^cas: the state dir .* is in use by another cas/);
    first.kill('SIGINT');
    expect((await first).exitCode).toBe(130);
  });
});

describe('JSON deeper than a recursive walk can go', () => {
  it('run and batch write a 10,000-level reply whole, with every request accounted for', async () => {
    const out = path.join(dir, 'deep-report.json');
    const run = await cas(['run', '--codex-bin', fixture('deep-reply.mjs'), '--requests', '3', '--samples', '1', '--out', out]);
    expect(run.exitCode).toBe(0);
    const report = JSON.parse(await readFile(out, 'utf8')) as RunReport;
    await expectAccounted(report);
    let node = report.samples[0]!.result as { next?: unknown };
    for (let depth = 0; depth < 10_000; depth++) node = node.next as { next?: unknown };
    expect(node).toBe('bottom');

    const batch = await cas(['batch', '--codex-bin', fixture('deep-reply.mjs'), '--input', requests]);
    expect(batch.exitCode).toBe(0);
    const lines = batch.stdout.trim().split('\n');
    expect(lines).toHaveLength(20);
    expect(lines.every((line) => line.endsWith(`"bottom"${'}'.repeat(10_000)},"latencyMs":${(JSON.parse(line) as { latencyMs: number }).latencyMs},"attempts":1,"instance":0}`))).toBe(true);
  });

  it('a batch line and a proxy envelope nested 10,000 deep each get one clean error; the lines around them run', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const line = (id: number) => JSON.stringify({ id, method: 'thread/list', params: { limit: 1 } });
    const input = path.join(dir, 'deep-input.jsonl');
    await writeFile(input, `${line(1)}\n{"id":2,"method":"thread/list","params":{"x":${deep}}}\n${line(3)}\n`);
    const reportFile = path.join(dir, 'deep-input-report.json');
    const batch = await cas(['batch', '--input', input, '--report', reportFile]);
    expect(batch.exitCode).toBe(1);
    const out = batch.stdout.trim().split('\n').map((text) => JSON.parse(text) as { line: number; ok: boolean; error?: { code: string; message: string } });
    expect(out.map((result) => [result.line, result.ok])).toEqual([[1, true], [2, false], [3, true]]);
    expect(out[1]!.error).toEqual({ code: 'bad-input', message: expect.stringMatching(/^line 2: "params" nests deeper than 126 levels/) });
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as BatchReport;
    expect(report.lines).toMatchObject({ read: 3, bad: 1, written: 3 });
    await expectAccounted(report);

    const proxy = new ProxyDriver([]);
    proxy.send(`{"type":"cas/request","clientRequestId":"deep","method":"thread/list","params":{"x":${deep}}}`, `{"type":"cas/request","clientRequestId":"also","extra":${deep},"method":"thread/list","params":{}}`);
    proxy.send({ type: 'cas/request', clientRequestId: 'after', method: 'thread/list', params: { limit: 1 } });
    await proxy.waitFor((event) => event.type === 'cas/fromServer' && event.clientRequestId === 'after');
    proxy.process.stdin!.end();
    expect((await proxy.ended()).exitCode).toBe(0);
    const outcome = (id: string) => proxy.events.filter((event) => event.clientRequestId === id && (event.type === 'cas/error' || event.type === 'cas/fromServer')).map((event) => event.type);
    expect(proxy.ofType('cas/error').find((event) => event.clientRequestId === 'deep')).toMatchObject({ message: expect.stringMatching(/nest deeper than 126 levels/) });
    expect([outcome('deep'), outcome('also'), outcome('after')]).toEqual([['cas/error'], ['cas/fromServer'], ['cas/fromServer']]);
  });

  it('refuses params nested deeper than the server reads, as a usage error', async () => {
    const file = path.join(dir, 'deep-params.json');
    await writeFile(file, `{"x":${'['.repeat(200)}${']'.repeat(200)}}`);
    const { exitCode, stderr } = await cas(['request', '--method', 'thread/list', '--params-file', file]);
    expect(exitCode).toBe(2);
    expect(stderr).toBe(`cas: --params-file ${file} nests deeper than 126 levels; the app-server would drop the request unread`);
  });
});
