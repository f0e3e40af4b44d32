import { readFile } from 'node:fs/promises';
import { jsonDepth, MAX_PARAMS_DEPTH } from '../../json/depth.js';
import { UsageError } from '../usage-error.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a flag's JSON value, whatever its type; bad JSON is a usage error naming the flag. */
export function parseJsonValue(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Parses request params: they must be one JSON object. */
export function parseParamsJson(text: string, source: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`${source} must be a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`);
  }
  // The server drops a message nested deeper than it reads, without a reply: say so now.
  if (jsonDepth(value, MAX_PARAMS_DEPTH) > MAX_PARAMS_DEPTH) throw new UsageError(`${source} nests deeper than ${MAX_PARAMS_DEPTH} levels; the app-server would drop the request unread`);
  return value as Record<string, unknown>;
}

/**
 * The params of `--params` (alias `--params-json`) or `--params-file FILE` (`-` for stdin);
 * `{}` when neither is given: the app-server wants a params object even when it is empty.
 */
export async function loadParams(params: string | undefined, paramsFile: string | undefined): Promise<Record<string, unknown>> {
  if (params !== undefined && paramsFile !== undefined) throw new UsageError('--params and --params-file cannot be used together');
  if (params !== undefined) return parseParamsJson(params, '--params');
  if (paramsFile === undefined) return {};
  let text: string;
  try {
    text = paramsFile === '-' ? await readStdin() : await readFile(paramsFile, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new UsageError(`--params-file ${paramsFile}: ${reason}`);
  }
  return parseParamsJson(text, `--params-file ${paramsFile}`);
}
