import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmokeResult } from '../../src/smoke/smoke-result.js';
import { ROOT } from '../helpers/cas-cli.js';
import { PINNED_CODEX_VERSION } from '../helpers/pinned-codex.js';
import { seedLockFromRepo } from './offline-install.js';

// `npm run test:package`: cas as a user gets it. The repo is packed as for publishing (prepack
// builds it), the tarball installed into a fresh `npm init -y` project with npm --offline (its
// dependencies from npm's cache, filled by `npm ci`: no network), and cas run from there.

/** Scripts npm runs, or lists as install scripts, when a package is installed from a tarball or git. */
const INSTALL_TIME_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'];

const casPackage = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };

let dir: string;
let project: string;
let tarball: string;
let packOutput: string;
let installOutput: string;

/**
 * A user's shell in the project: no npm_* variables of the `npm run` this suite runs under (its
 * local prefix is the repo) and no node_modules/.bin of the repo on PATH. The cache stays.
 */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) && key.toLowerCase() !== 'npm_config_cache') continue;
    if (key === 'INIT_CWD') continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '').split(path.delimiter).filter((entry) => !entry.includes(`node_modules${path.sep}.bin`)).join(path.delimiter);
  // The installed cas keeps its compiled code here, to be looked at (and removed with the rest).
  env.CAS_COMPILE_CACHE = path.join(dir, 'compile-cache');
  return env;
}

/** Runs a command in the project as a user would, stdin closed. */
async function inProject(file: string, args: readonly string[]) {
  const result = await execa(file, args, { cwd: project, env: userEnv(), extendEnv: false, reject: false, input: '', all: true });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr), all: String(result.all) };
}

/** Every file under `root`, relative to it. */
function listFiles(root: string, under = ''): string[] {
  return readdirSync(path.join(root, under), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(under, entry.name);
    return entry.isDirectory() ? listFiles(root, relative) : [relative];
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-package-'));
  // Packed for real: prepack builds dist/ from a clean slate, as `npm publish` would.
  const packed = await execa('npm', ['pack', '--pack-destination', dir], { cwd: ROOT, reject: false, all: true });
  packOutput = String(packed.all);
  if (packed.exitCode !== 0) throw new Error(`npm pack failed (exit ${packed.exitCode}):\n${packOutput}`);
  const tarballs = (await readdir(dir)).filter((name) => name.endsWith('.tgz'));
  if (tarballs.length !== 1) throw new Error(`npm pack made ${tarballs.join(', ') || 'no tarball'}`);
  tarball = path.join(dir, tarballs[0]!);

  project = path.join(dir, 'project');
  await mkdir(project);
  const init = await inProject('npm', ['init', '-y']);
  if (init.exitCode !== 0) throw new Error(`npm init -y failed:\n${init.all}`);
  const registry = (await inProject('npm', ['config', 'get', 'registry'])).stdout.trim();
  await seedLockFromRepo(ROOT, project, registry);
  const install = await inProject('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball]);
  installOutput = install.all;
  if (install.exitCode !== 0) {
    const hint = /ENOTCACHED/.test(installOutput) ? ' (a dependency is not in npm\'s cache: run npm ci in the repo first)' : '';
    throw new Error(`npm install --offline of the tarball failed${hint}:\n${installOutput}`);
  }
}, 900_000);

afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('cas packed and installed into a fresh project', () => {
  it('the tarball ships bin and dist without the sources, and no script that runs at install', async () => {
    const installed = path.join(project, 'node_modules', 'cas');
    const files = listFiles(installed);
    expect(files).toContain(path.join('bin', 'cas'));
    // bin/cas is CommonJS, by its own package.json.
    expect(files).toContain(path.join('bin', 'package.json'));
    expect(files).toContain(path.join('dist', 'index.js'));
    expect(files).toContain(path.join('dist', 'index.d.ts'));
    expect(files).toContain(path.join('dist', 'cli-bundle', 'main.cjs'));
    expect(files.filter((file) => file.startsWith(`src${path.sep}`) || file.startsWith(`test${path.sep}`))).toEqual([]);
    const manifest = JSON.parse(await readFile(path.join(installed, 'package.json'), 'utf8')) as { version: string; scripts?: Record<string, string> };
    expect(manifest.version).toBe(casPackage.version);
    expect(Object.keys(manifest.scripts ?? {}).filter((name) => INSTALL_TIME_SCRIPTS.includes(name))).toEqual([]);
  });

  it('installs with no warning about install scripts (npm names cas\'s prepare script when there is one)', () => {
    expect(installOutput).not.toMatch(/allowScripts|install-scripts|prepare/i);
    expect(installOutput).not.toMatch(/\bcas@/);
    expect(installOutput).toMatch(/added \d+ packages?/);
  });

  it('npx cas --version prints cas\'s version, not the project\'s', async () => {
    const projectVersion = (JSON.parse(await readFile(path.join(project, 'package.json'), 'utf8')) as { version: string }).version;
    expect(projectVersion).not.toBe(casPackage.version);
    // --no-install: run the installed cas or fail; never fetch a package called cas.
    const { exitCode, stdout, stderr } = await inProject('npx', ['--no-install', 'cas', '--version']);
    expect(exitCode, stderr).toBe(0);
    expect(stdout.trim()).toBe(casPackage.version);
  });

  it('npx cas smoke passes against the codex installed with it, offline (its loopback model)', async () => {
    const { exitCode, stdout, stderr } = await inProject('npx', ['--no-install', 'cas', 'smoke', '--json']);
    const result = JSON.parse(stdout) as SmokeResult;
    expect(result.checks.filter((check) => !check.ok)).toEqual([]);
    expect(exitCode, stderr).toBe(0);
    expect(result.codex).toMatchObject({ source: 'bundled', version: PINNED_CODEX_VERSION });
    expect(result.codex!.path.startsWith(path.join(project, 'node_modules') + path.sep)).toBe(true);
    expect(stderr).toContain(`cas smoke: 6 of 6 checks ok; codex ${PINNED_CODEX_VERSION}: ${result.codex!.path} (the bundled @openai/codex)`);
    // Its command's compiled code was kept for the next run.
    expect(readdirSync(path.join(dir, 'compile-cache', `node-${process.version}-${process.arch}`))).toContainEqual(expect.stringMatching(/^command-smoke-[0-9a-f]+-\d+-\d+\.v8cache$/));
  }, 180_000);

  it('import(\'cas\') gives the library: the same exports as the repo\'s build', async () => {
    const script = "import('cas').then((m) => console.log(JSON.stringify({ keys: Object.keys(m).sort(), kinds: [typeof m.CasClient?.start, typeof m.connect, typeof m.resolveCodex, typeof m.runSmoke] })))";
    const { exitCode, stdout, stderr } = await inProject(process.execPath, ['-e', script]);
    expect(exitCode, stderr).toBe(0);
    const installed = JSON.parse(stdout) as { keys: string[]; kinds: string[] };
    const repo = Object.keys(await import(path.join(ROOT, 'dist', 'index.js'))).sort();
    expect(installed.keys).toEqual(repo);
    expect(installed.keys).toEqual(expect.arrayContaining(['CasClient', 'connect', 'resolveCodex', 'runSmoke', 'runMethod', 'AppServerError']));
    expect(installed.kinds).toEqual(['function', 'function', 'function', 'function']);
  });

  it('every source map resolves: each source is a shipped file or carried inline', async () => {
    const installed = path.join(project, 'node_modules', 'cas');
    const maps = listFiles(installed).filter((file) => file.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(10);
    const unresolved: string[] = [];
    for (const map of maps) {
      const { sources, sourcesContent, sourceRoot } = JSON.parse(await readFile(path.join(installed, map), 'utf8')) as { sources: string[]; sourcesContent?: Array<string | null>; sourceRoot?: string };
      sources.forEach((source, index) => {
        const inline = typeof sourcesContent?.[index] === 'string' && sourcesContent[index]!.length > 0;
        const file = path.resolve(path.dirname(path.join(installed, map)), sourceRoot ?? '', source);
        if (!inline && !(file.startsWith(installed + path.sep) && existsSync(file))) unresolved.push(`${map}: ${source}`);
      });
    }
    expect(unresolved).toEqual([]);
    // And each compiled file names a map that is there.
    const missing: string[] = [];
    for (const file of listFiles(installed).filter((name) => name.endsWith('.js'))) {
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(await readFile(path.join(installed, file), 'utf8'))?.[1];
      if (url !== undefined && !url.startsWith('data:') && !existsSync(path.resolve(path.dirname(path.join(installed, file)), url))) missing.push(`${file} -> ${url}`);
    }
    expect(missing).toEqual([]);
  });
});

describe('npm pack', () => {
  it('built the package on prepack', () => {
    expect(packOutput).toMatch(/> cas@[^\s]+ prepack/);
    expect(packOutput).toMatch(/> cas@[^\s]+ build/);
  });
});
