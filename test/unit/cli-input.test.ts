import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { glueDashValues } from '../../src/cli/main.js';
import { loadParams } from '../../src/cli/options/params.js';
import { UsageError } from '../../src/cli/usage-error.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('glueDashValues', () => {
  it('keeps a dash-leading value with --codex-arg and --params-file', () => {
    expect(glueDashValues(['batch', '--input', '-'])).toEqual(['batch', '--input=-']);
    expect(glueDashValues(['run', '--codex-arg', '-c', '--codex-arg', 'model="o3"', '--params-file', '-', '--json'])).toEqual([
      'run',
      '--codex-arg=-c',
      '--codex-arg',
      'model="o3"',
      '--params-file=-',
      '--json',
    ]);
  });
});

describe('loadParams', () => {
  it('parses --params and --params-file, and defaults to {}', async () => {
    expect(await loadParams('{"limit":5}', undefined)).toEqual({ limit: 5 });
    const file = path.join(dir, 'params.json');
    await writeFile(file, '{"cursor":null}');
    expect(await loadParams(undefined, file)).toEqual({ cursor: null });
    expect(await loadParams(undefined, undefined)).toEqual({});
  });

  it('names the problem in a usage error', async () => {
    await expect(loadParams('{"limit":', undefined)).rejects.toThrow(/--params is not valid JSON/);
    await expect(loadParams('[1]', undefined)).rejects.toThrow('--params must be a JSON object, got an array');
    await expect(loadParams('null', undefined)).rejects.toThrow('--params must be a JSON object, got null');
    await expect(loadParams('{}', path.join(dir, 'x'))).rejects.toThrow('cannot be used together');
    await expect(loadParams(undefined, path.join(dir, 'missing.json'))).rejects.toThrow(UsageError);
    await expect(loadParams(undefined, path.join(dir, 'missing.json'))).rejects.toThrow(/missing.json: no such file/);
  });
});

describe('parseStartAt', () => {
  it('reads an ISO time with a zone as the same instant everywhere', async () => {
    const { parseStartAt } = await import('../../src/cli/options/start-at.js');
    const now = Date.UTC(2030, 0, 1, 12);
    expect(parseStartAt('2030-01-01T12:00:30Z', now)).toBe(now + 30_000);
    expect(parseStartAt('2030-01-01T13:00:30+01:00', now)).toBe(now + 30_000);
    expect(parseStartAt('2030-01-01T12:00:00.250Z', now)).toBe(now + 250);
    // A time that has passed is taken (the run starts at once and says how late).
    expect(parseStartAt('2029-12-31T00:00:00Z', now)).toBeLessThan(now);
  });

  it('refuses a local time, a non-time and a time a day away', async () => {
    const { parseStartAt } = await import('../../src/cli/options/start-at.js');
    const now = Date.UTC(2030, 0, 1, 12);
    expect(() => parseStartAt('2030-01-01T12:00:30', now)).toThrow(/--start-at must be an ISO 8601 time with a zone/);
    expect(() => parseStartAt('in 5 minutes', now)).toThrow(UsageError);
    expect(() => parseStartAt('2030-02-30T12:00:00Z', now)).toThrow(/ISO 8601/);
    expect(() => parseStartAt('2030-01-02T12:00:01Z', now)).toThrow('--start-at 2030-01-02T12:00:01Z is more than 24 hours away');
  });
});
