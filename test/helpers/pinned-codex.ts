import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './cas-cli.js';

/** The version of the `@openai/codex` installed with cas: what every command runs unless told otherwise. */
export const PINNED_CODEX_VERSION: string = (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', '@openai', 'codex', 'package.json'), 'utf8')) as { version: string }).version;
