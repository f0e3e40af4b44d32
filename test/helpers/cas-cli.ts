import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { RunReport } from '../../src/report/run-report.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CAS_BIN = path.join(ROOT, 'bin', 'cas');

/** A fixture script, by file name. */
export function fixture(name: string): string {
  return path.join(ROOT, 'fixtures', name);
}

/** What one CLI run printed. */
export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would (`bin/cas ...`), with stdin closed. */
export async function cas(args: readonly string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<CliResult> {
  const result = await execa(process.execPath, [CAS_BIN, ...args], {
    reject: false,
    env: options.env,
    input: options.input ?? '',
    cwd: ROOT,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** Runs `cas run ... --json` and parses the report. */
export async function casRun(args: readonly string[], options?: { env?: Record<string, string> }): Promise<CliResult & { report: RunReport }> {
  const result = await cas(['run', '--json', ...args], options);
  let report: RunReport;
  try {
    report = JSON.parse(result.stdout) as RunReport;
  } catch {
    throw new Error(`no JSON report (exit ${result.exitCode}); stderr: ${result.stderr}`);
  }
  return { ...result, report };
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
