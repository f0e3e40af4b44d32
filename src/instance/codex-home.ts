import { readdir, readFile, writeFile } from 'node:fs/promises';
import { makeDirectory } from '../files/make-dir.js';
import path from 'node:path';

/** The placeholder replaced by the instance index in `--codex-home`. */
export const INDEX_PLACEHOLDER = '{i}';

/** Files taken from `--codex-home-template` into every fresh home, with their modes. */
const TEMPLATE_FILES: ReadonlyArray<{ name: string; mode: number }> = [
  { name: 'config.toml', mode: 0o600 },
  { name: 'auth.json', mode: 0o600 },
];

/** Where each instance's CODEX_HOME is. */
export interface HomePlan {
  /** One directory per instance, by index. */
  homes: string[];
  /** True when several instances use the same directory (start-ups then need retries). */
  shared: boolean;
}

/**
 * Default: a fresh home per instance under `runDir/homes`. `--codex-home` with `{i}`: one
 * directory per instance; without: every instance shares it.
 */
export function planHomes(count: number, runDir: string, codexHome?: string): HomePlan {
  const homes = Array.from({ length: count }, (_, index) =>
    codexHome === undefined
      ? path.join(runDir, 'homes', String(index))
      : path.resolve(codexHome.replaceAll(INDEX_PLACEHOLDER, String(index))),
  );
  return { homes, shared: new Set(homes).size < homes.length };
}

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}

/** How to fill a fresh home. */
export interface FreshHomeOptions {
  /** `--codex-home-template`: config.toml and auth.json are taken from here. */
  template?: string;
  /** Writes config.toml from the template's (e.g. to point codex at a mock model). */
  freshConfig?(templateConfig: string | undefined): string;
}

async function readIfPresent(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Makes sure `dir` exists. A fresh (missing or empty) home gets the template's config.toml and
 * auth.json (or the config `freshConfig` makes); an existing home is left exactly as it is.
 */
export async function prepareHome(dir: string, options: FreshHomeOptions = {}): Promise<{ fresh: boolean }> {
  const fresh = await isEmptyOrMissing(dir);
  await makeDirectory(dir);
  if (!fresh) return { fresh };
  const files = new Map<string, Buffer | string>();
  for (const file of TEMPLATE_FILES) {
    const content = options.template === undefined ? undefined : await readIfPresent(path.join(options.template, file.name));
    if (content !== undefined) files.set(file.name, content);
  }
  if (options.freshConfig !== undefined) files.set('config.toml', options.freshConfig(files.get('config.toml')?.toString('utf8')));
  for (const file of TEMPLATE_FILES) {
    const content = files.get(file.name);
    // Created with its final mode: a secret is never readable by others, not even briefly.
    if (content !== undefined) await writeFile(path.join(dir, file.name), content, { mode: file.mode, flag: 'wx' });
  }
  return { fresh };
}

/** Checks a template directory up front, so a typo is a usage error and not N failed starts. */
export async function checkTemplate(template: string): Promise<string | undefined> {
  let entries: string[];
  try {
    entries = await readdir(template);
  } catch {
    return `--codex-home-template ${template}: not a readable directory`;
  }
  const found = TEMPLATE_FILES.filter((file) => entries.includes(file.name));
  return found.length === 0 ? `--codex-home-template ${template}: has neither config.toml nor auth.json` : undefined;
}
