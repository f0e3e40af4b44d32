import { beforeAll, describe, expect, it } from 'vitest';
import type { SmokeResult } from '../../src/smoke/smoke-result.js';
import { cas, type CliResult } from '../helpers/cas-cli.js';
import { PINNED_CODEX_VERSION } from '../helpers/pinned-codex.js';

const CHECKS = ['handshake', 'experimentalFeature/list', 'thread/start', 'thread/resume', 'turn/interrupt', 'turn/steer'];

describe('cas smoke against the real app-server', () => {
  let json: CliResult;
  let lines: CliResult;
  beforeAll(async () => {
    // Two independent runs, each on its own fresh home and mock model: run them side by side.
    [json, lines] = await Promise.all([cas(['smoke', '--json']), cas(['smoke'])]);
  }, 120_000);

  it('--json: exit 0 and all six checks ok, in order', () => {
    expect(json.exitCode, json.stderr).toBe(0);
    const result = JSON.parse(json.stdout) as SmokeResult;
    expect(result.ok).toBe(true);
    expect(result.checks.map((check) => check.name)).toEqual(CHECKS);
    for (const check of result.checks) {
      expect(check, check.name).toMatchObject({ ok: true, detail: expect.any(String), ms: expect.any(Number) });
      expect(check.detail).not.toContain('\n');
    }
    expect(result.checks[0]!.detail).toMatch(/^cas\/\d/);
    expect(result.checks[1]!.detail).toMatch(/^[1-9]\d* features/);
    expect(result.checks[4]!.detail).toMatch(/status interrupted/);
    expect(result.checks[5]!.detail).toMatch(/^(steered turn|refused on a precondition)/);
    expect(result.codex).toMatchObject({ source: 'bundled', version: PINNED_CODEX_VERSION, userAgent: result.checks[0]!.detail });
    expect(json.stderr).toContain(`cas smoke: 6 of 6 checks ok; codex ${PINNED_CODEX_VERSION}: ${result.codex!.path} (the bundled @openai/codex)`);
  });

  it('without --json: one line per check on stdout', () => {
    expect(lines.exitCode, lines.stderr).toBe(0);
    const printed = lines.stdout.trimEnd().split('\n');
    expect(printed).toHaveLength(6);
    printed.forEach((line, index) => {
      expect(line).toMatch(new RegExp(`^ok +${CHECKS[index]!.replace('/', '\\/')} +\\S.* \\(\\d+ ms\\)$`));
    });
    expect(lines.stderr).toMatch(/cas smoke: 6 of 6 checks ok/);
  });

  it('a usage error exits 2 with one line and runs nothing', async () => {
    const bad = await cas(['smoke', '--turn-timeout-ms', '0']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^cas: --turn-timeout-ms must be at least 1 \(got 0\)$/)]);
    const unknown = await cas(['smoke', '--bogus']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/^cas: unknown flag --bogus; see --help$/);
  });

  it('fails with exit 1 when the app-server cannot start, reporting the rest as not run', async () => {
    const failed = await cas(['smoke', '--json', '--startup-retries', '0', '--codex-bin', process.execPath, '--codex-arg', '--bogus-flag']);
    expect(failed.exitCode).toBe(1);
    const result = JSON.parse(failed.stdout) as SmokeResult;
    expect(result.ok).toBe(false);
    expect(result.checks.map((check) => check.name)).toEqual(CHECKS);
    expect(result.checks[0]).toMatchObject({ ok: false, detail: expect.stringMatching(/failed to start/) });
    for (const check of result.checks.slice(1)) expect(check).toMatchObject({ ok: false, detail: 'not run: the app-server did not start' });
    expect(result.codex).toEqual({ path: process.execPath, source: 'flag', userAgent: null, version: null });
    expect(failed.stderr).toContain(`cas smoke: 0 of 6 checks ok; codex (version unknown: no server answered): ${process.execPath} (--codex-bin)`);
  });
});
