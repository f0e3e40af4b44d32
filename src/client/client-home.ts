import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { prepareHome } from '../instance/codex-home.js';

/** The CODEX_HOME a client runs its app-server in. */
export interface ClientHome {
  /** Absolute path. */
  path: string;
  /** True when the client made it (a temp dir) and removes it on close. */
  owned: boolean;
  /** Removes it when owned; does nothing otherwise. */
  dispose(): Promise<void>;
}

/**
 * `codexHome` is created if missing and always kept; without it a fresh temp dir is made and
 * owned. A fresh (missing or empty) home gets `configToml` as its config.toml, if given.
 */
export async function openClientHome(codexHome: string | undefined, configToml: string | undefined): Promise<ClientHome> {
  const owned = codexHome === undefined;
  const dir = owned ? await mkdtemp(path.join(os.tmpdir(), 'cas-home-')) : path.resolve(codexHome);
  const dispose = async () => {
    if (owned) await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  try {
    await prepareHome(dir, { freshConfig: configToml === undefined ? undefined : () => configToml });
  } catch (error) {
    await dispose();
    throw error;
  }
  return { path: dir, owned, dispose };
}
