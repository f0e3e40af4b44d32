import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodexNotFoundError, resolveCodex } from '../../src/codex/resolve-codex.js';

let dir: string;
let flagBin: string;
let envBin: string;
let pathDir: string;

async function executable(file: string): Promise<string> {
  await writeFile(file, '#!/bin/sh\nexit 0\n');
  await chmod(file, 0o755);
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-resolve-'));
  flagBin = await executable(path.join(dir, 'flag-codex'));
  envBin = await executable(path.join(dir, 'env-codex'));
  pathDir = path.join(dir, 'bin');
  await mkdir(pathDir);
  await executable(path.join(pathDir, 'codex'));
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('resolveCodex', () => {
  it('prefers --codex-bin, then CAS_CODEX_BIN, then the bundled package', () => {
    const env = { CAS_CODEX_BIN: envBin, PATH: pathDir };
    expect(resolveCodex({ codexBin: flagBin, env })).toMatchObject({ command: flagBin, source: 'flag' });
    expect(resolveCodex({ env })).toMatchObject({ command: envBin, source: 'env' });
    const bundled = resolveCodex({ env: { PATH: '' } });
    expect(bundled.source).toBe('bundled');
    expect(bundled.path).toMatch(/@openai[/\\]codex/);
  });

  it('never takes a codex from PATH unless named: the bundled one runs however cas is started', () => {
    const onPath = resolveCodex({ env: { PATH: pathDir } });
    expect(onPath).toMatchObject({ source: 'bundled', command: resolveCodex({ env: { PATH: '' } }).command });
    expect(onPath.command).not.toBe(path.join(pathDir, 'codex'));
  });

  it('runs the native binary instead of the npm launcher script', () => {
    const bundled = resolveCodex({ env: { PATH: '' } });
    expect(bundled.command).not.toMatch(/codex\.js$/);
    expect(bundled.prefixArgs).toEqual([]);
    expect(bundled.env.CODEX_MANAGED_BY_NPM).toBe('1');
  });

  it('unwraps node_modules/.bin/codex (a link to the launcher) named by its bare name', async () => {
    const binDir = path.join(dir, 'dot-bin');
    await mkdir(binDir);
    await symlink(path.resolve('node_modules/@openai/codex/bin/codex.js'), path.join(binDir, 'codex'));
    const resolved = resolveCodex({ codexBin: 'codex', env: { PATH: binDir } });
    expect(resolved.source).toBe('flag');
    expect(resolved.command).toBe(resolveCodex({ env: { PATH: '' } }).command);
  });

  it('looks a bare name up on PATH, from --codex-bin or CAS_CODEX_BIN', () => {
    expect(resolveCodex({ codexBin: 'codex', env: { PATH: pathDir } })).toMatchObject({ command: path.join(pathDir, 'codex'), source: 'flag' });
    expect(resolveCodex({ env: { CAS_CODEX_BIN: 'codex', PATH: pathDir } })).toMatchObject({ command: path.join(pathDir, 'codex'), source: 'env' });
  });

  it('names the flag and the path when the binary is missing or not executable', async () => {
    expect(() => resolveCodex({ codexBin: path.join(dir, 'missing') })).toThrow(CodexNotFoundError);
    expect(() => resolveCodex({ codexBin: path.join(dir, 'missing') })).toThrow(/--codex-bin .*missing: not an executable file/);
    const plain = path.join(dir, 'plain');
    await writeFile(plain, 'not a program');
    expect(() => resolveCodex({ env: { CAS_CODEX_BIN: plain } })).toThrow(/CAS_CODEX_BIN .*plain: not an executable file/);
    expect(() => resolveCodex({ codexBin: 'no-such-codex', env: { PATH: pathDir } })).toThrow(/not found on PATH/);
  });
});
