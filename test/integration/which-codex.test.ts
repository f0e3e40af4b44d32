import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/report/run-report.js';
import { cas } from '../helpers/cas-cli.js';
import { PINNED_CODEX_VERSION } from '../helpers/pinned-codex.js';

let dir: string;
let impostorDir: string;
/** PATH with a `codex` that fails loudly ahead of everything else. */
let pathWithImpostor: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-which-'));
  impostorDir = path.join(dir, 'bin');
  await mkdir(impostorDir);
  const impostor = path.join(impostorDir, 'codex');
  await writeFile(impostor, '#!/bin/sh\necho "the codex on PATH ran" >&2\nexit 7\n');
  await chmod(impostor, 0o755);
  pathWithImpostor = `${impostorDir}${path.delimiter}${process.env.PATH ?? ''}`;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('which codex runs', () => {
  it('the bundled one, though another codex comes first on PATH; the summary and the report name it and its version', async () => {
    const out = path.join(dir, 'bundled.json');
    const { exitCode, stdout, stderr } = await cas(['run', '-n', '1', '--requests', '2', '--out', out], { env: { PATH: pathWithImpostor } });
    expect(exitCode, stderr).toBe(0);
    const report = JSON.parse(await readFile(out, 'utf8')) as RunReport;
    expect(report.codex).toMatchObject({ source: 'bundled', version: PINNED_CODEX_VERSION });
    expect(report.codex.path).not.toContain(impostorDir);
    expect(stdout).toContain(`  codex ${PINNED_CODEX_VERSION}: ${report.codex.path} (the bundled @openai/codex)\n`);
  });

  it('the one on PATH when named by a bare name (--codex-bin codex), said to be of unknown version when it never answered', async () => {
    const out = path.join(dir, 'named.json');
    const { exitCode, stdout, stderr } = await cas(['run', '-n', '1', '--requests', '1', '--startup-retries', '0', '--codex-bin', 'codex', '--out', out], { env: { PATH: pathWithImpostor } });
    expect(exitCode).toBe(1);
    expect(stderr).toContain('the codex on PATH ran');
    const report = JSON.parse(await readFile(out, 'utf8')) as RunReport;
    expect(report.codex).toEqual({ path: path.join(impostorDir, 'codex'), source: 'flag', userAgent: null, version: null });
    expect(stdout).toContain(`  codex (version unknown: no server answered): ${path.join(impostorDir, 'codex')} (--codex-bin)\n`);
  });
});
