import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTemplate, planHomes, prepareHome } from '../../src/instance/codex-home.js';

let dir: string;
let template: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-home-'));
  template = path.join(dir, 'template');
  await mkdir(template);
  await writeFile(path.join(template, 'config.toml'), 'model = "m"\n', { mode: 0o644 });
  await writeFile(path.join(template, 'auth.json'), '{"OPENAI_API_KEY":"sk-secret"}', { mode: 0o644 });
  await writeFile(path.join(template, 'history.jsonl'), 'private\n');
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('planHomes', () => {
  it('gives each instance a fresh home under the run dir by default', () => {
    expect(planHomes(3, '/run')).toEqual({ homes: ['/run/homes/0', '/run/homes/1', '/run/homes/2'], shared: false });
  });

  it('replaces {i} with the index, and shares a home without it', () => {
    expect(planHomes(2, '/run', '/h/{i}/x{i}')).toEqual({ homes: ['/h/0/x0', '/h/1/x1'], shared: false });
    expect(planHomes(2, '/run', '/h/shared')).toEqual({ homes: ['/h/shared', '/h/shared'], shared: true });
    expect(planHomes(1, '/run', '/h/shared').shared).toBe(false);
  });
});

describe('prepareHome', () => {
  it('copies config.toml and auth.json (0600) into a fresh home, nothing else', async () => {
    const home = path.join(dir, 'fresh');
    expect(await prepareHome(home, { template })).toEqual({ fresh: true });
    expect((await readdir(home)).sort()).toEqual(['auth.json', 'config.toml']);
    expect((await stat(path.join(home, 'auth.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(home, 'config.toml'))).mode & 0o777).toBe(0o600);
    expect((await stat(home)).mode & 0o777).toBe(0o700);
    expect(await readFile(path.join(home, 'config.toml'), 'utf8')).toBe('model = "m"\n');
  });

  it('leaves an existing home exactly as it is', async () => {
    const home = path.join(dir, 'existing');
    await mkdir(home);
    await writeFile(path.join(home, 'config.toml'), 'mine\n');
    expect(await prepareHome(home, { template })).toEqual({ fresh: false });
    expect(await readdir(home)).toEqual(['config.toml']);
    expect(await readFile(path.join(home, 'config.toml'), 'utf8')).toBe('mine\n');
  });
});

describe('prepareHome with a config writer', () => {
  it('writes the config it makes from the template\'s, and still copies auth.json', async () => {
    const home = path.join(dir, 'configured');
    await prepareHome(home, { template, freshConfig: (existing) => `# made\n${existing ?? ''}` });
    expect(await readFile(path.join(home, 'config.toml'), 'utf8')).toBe('# made\nmodel = "m"\n');
    expect((await stat(path.join(home, 'auth.json'))).mode & 0o777).toBe(0o600);
    const bare = path.join(dir, 'bare');
    await prepareHome(bare, { freshConfig: (existing) => `existing=${existing === undefined ? 'none' : 'some'}\n` });
    expect(await readdir(bare)).toEqual(['config.toml']);
    expect(await readFile(path.join(bare, 'config.toml'), 'utf8')).toBe('existing=none\n');
  });
});

describe('checkTemplate', () => {
  it('accepts a template with either file, and names the problem otherwise', async () => {
    expect(await checkTemplate(template)).toBeUndefined();
    expect(await checkTemplate(path.join(dir, 'nope'))).toMatch(/not a readable directory/);
    await mkdir(path.join(dir, 'empty'));
    expect(await checkTemplate(path.join(dir, 'empty'))).toMatch(/neither config.toml nor auth.json/);
  });
});
