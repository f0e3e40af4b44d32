import { readFile } from 'node:fs/promises';
import { buildMockScript, MockScriptError, type MockScript, type MockScriptOptions } from '../../mock-model/mock-script.js';
import { UsageError } from '../usage-error.js';

/** Reads a mock script file (if any) and applies the flags; every problem is a usage error naming the flag and file. */
export async function loadMockScript(file: string | undefined, flag: string, overrides: Omit<MockScriptOptions, 'scriptText'>): Promise<MockScript> {
  let scriptText: string | undefined;
  if (file !== undefined) {
    try {
      scriptText = await readFile(file, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
      throw new UsageError(`${flag} ${file}: ${reason}`);
    }
  }
  try {
    return buildMockScript({ ...overrides, scriptText });
  } catch (error) {
    if (error instanceof MockScriptError) throw new UsageError(`${flag} ${file}: ${error.message}`);
    throw error;
  }
}
