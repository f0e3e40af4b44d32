import { describe, expect, it } from 'vitest';
import { expectAccounted } from '../helpers/accounting.js';
import { casRun } from '../helpers/cas-cli.js';

/** A provider on a loopback port where nothing listens: what "no reachable model" looks like, with or without a network. */
const DEAD_PROVIDER = [
  'model_provider="dead"',
  'model_providers.dead.name="dead"',
  'model_providers.dead.base_url="http://127.0.0.1:9/v1"',
  'model_providers.dead.wire_api="responses"',
  'model="mock-model"',
].flatMap((setting) => ['--codex-arg', '-c', '--codex-arg', setting]);

describe('turns that cannot run', () => {
  it('stops at once with a hint when the server says it cannot reach the model, instead of waiting out the turn timeout', async () => {
    const { exitCode, report, stderr } = await casRun(['--method', 'turn/start', '--requests', '20', '--concurrency', '2', ...DEAD_PROVIDER]);
    expect(exitCode).toBe(1);
    expect(report.stoppedBecause).toMatch(/the model cannot be reached .*--mock-model/);
    expect(stderr).toMatch(/^cas: stopped early: .*the model cannot be reached/m);
    // The first turns to find out stop the run: far fewer than asked for were sent.
    expect(report.requests.total).toBeLessThan(20);
    expect(report.requests.ok).toBe(0);
    expect(report.errors.map((error) => error.code)).toEqual(['model-unreachable']);
    expect(report.requests.timedOut).toBe(0);
    await expectAccounted(report);
  });

  it('counts a turn that runs out of time as timed out', async () => {
    const { exitCode, report } = await casRun(['--method', 'turn/start', '--mock-model', '--mock-delay-ms', '5000', '--turn-timeout-ms', '300', '--requests', '2']);
    expect(exitCode).toBe(1);
    expect(report.requests).toMatchObject({ total: 2, failed: 2, timedOut: 2 });
    expect(report.errors).toEqual([expect.objectContaining({ code: 'timeout', count: 2 })]);
  });
});
