import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, isAlive } from '../helpers/cas-cli.js';
import { ProxyDriver } from '../helpers/proxy-driver.js';
import { until } from '../helpers/run-watch.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-proxy-signals-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A private temp dir for one proxy, so its temp run dir can be watched. */
async function privateTmp(name: string): Promise<string> {
  const tmp = path.join(dir, name);
  await mkdir(tmp);
  return tmp;
}

const runDirsIn = async (tmp: string) => (await readdir(tmp)).filter((entry) => entry.startsWith('cas-run-'));

describe('cas proxy on SIGINT/SIGTERM', () => {
  it.each([
    ['SIGTERM', 143, 'cas'],
    ['SIGINT', 130, 'cas'],
    ['SIGHUP', 129, 'cas'],
    // A terminal's Ctrl-C: SIGINT to every process of the foreground group, the app-server's too if it were in it.
    ['SIGINT', 130, 'group'],
  ] as const)('%s (exit %i) sent to %s: requests in flight get their replies, the app-server is closed, the temp run dir removed', async (signal, code, to) => {
    const tmp = await privateTmp(`${signal}-${to}`);
    const proxy = new ProxyDriver([], { env: { TMPDIR: tmp }, detached: to === 'group' });
    const ready = await proxy.waitFor((event) => event.type === 'cas/ready');
    expect(await runDirsIn(tmp)).toHaveLength(1);
    const requests = 40;
    for (let i = 0; i < requests; i++) proxy.send({ type: 'cas/request', clientRequestId: `r${i}`, method: 'experimentalFeature/list', params: {} });
    await proxy.waitFor((event) => event.type === 'cas/toServer' && event.clientRequestId === `r${requests - 1}`);
    if (to === 'group') process.kill(-proxy.process.pid!, signal);
    else proxy.process.kill(signal);
    const { exitCode } = await proxy.ended();
    expect(exitCode).toBe(code);
    // Every request got exactly one outcome: its reply (within the grace period), or an error naming it.
    const outcomes = proxy.events.filter((event) => (event.type === 'cas/fromServer' || event.type === 'cas/error') && typeof event.clientRequestId === 'string' && event.internal !== true);
    expect(outcomes.map((event) => event.clientRequestId).sort()).toEqual(Array.from({ length: requests }, (_, i) => `r${i}`).sort());
    // None failed: the app-server never saw the signal, and answered everything in flight.
    expect(outcomes.filter((event) => event.type !== 'cas/fromServer')).toEqual([]);
    expect(proxy.ofType('cas/signal')).toEqual([expect.objectContaining({ signal })]);
    expect(proxy.ofType('cas/exiting')).toEqual([expect.objectContaining({ reason: 'signal' })]);
    expect(proxy.events.at(-1)).toMatchObject({ type: 'cas/appServerExit', expected: true });
    expect(proxy.events.at(-1)!.signal).not.toBe(signal);
    expect(isAlive(ready.appServerPid as number)).toBe(false);
    expect(await runDirsIn(tmp)).toEqual([]);
  });

  it('closes an app-server that ignores EOF and SIGTERM (SIGKILL after --kill-timeout-ms)', async () => {
    const tmp = await privateTmp('stubborn');
    const proxy = new ProxyDriver(['--codex-bin', fixture('stubborn.mjs'), '--kill-timeout-ms', '200'], { env: { TMPDIR: tmp } });
    const ready = await proxy.waitFor((event) => event.type === 'cas/ready');
    proxy.process.kill('SIGINT');
    expect((await proxy.ended()).exitCode).toBe(130);
    expect(proxy.events.at(-1)).toMatchObject({ type: 'cas/appServerExit', signal: 'SIGKILL' });
    await until(() => !isAlive(ready.appServerPid as number), 5000);
    expect(await runDirsIn(tmp)).toEqual([]);
  });

  it('a second signal ends it at once: the app-server is killed and the temp run dir removed all the same', async () => {
    const tmp = await privateTmp('twice');
    const proxy = new ProxyDriver(['--codex-bin', fixture('never-answers.mjs'), '--grace-ms', '60000', '--request-timeout-ms', '60000'], { env: { TMPDIR: tmp } });
    const ready = await proxy.waitFor((event) => event.type === 'cas/ready');
    proxy.send({ type: 'cas/request', clientRequestId: 'stuck', method: 'thread/list', params: {} });
    await proxy.waitFor((event) => event.type === 'cas/toServer' && event.clientRequestId === 'stuck');
    proxy.process.kill('SIGINT');
    await proxy.waitFor((event) => event.type === 'cas/signal');
    proxy.process.kill('SIGINT');
    expect((await proxy.ended()).exitCode).toBe(130);
    await until(() => !isAlive(ready.appServerPid as number), 5000);
    expect(await runDirsIn(tmp)).toEqual([]);
  });

  it('a request with no reply within --grace-ms ends as an error naming it', async () => {
    const proxy = new ProxyDriver(['--codex-bin', fixture('never-answers.mjs'), '--grace-ms', '300', '--request-timeout-ms', '60000']);
    await proxy.waitFor((event) => event.type === 'cas/ready');
    proxy.send({ type: 'cas/request', clientRequestId: 'stuck', method: 'thread/list', params: {} });
    await proxy.waitFor((event) => event.type === 'cas/toServer' && event.clientRequestId === 'stuck');
    proxy.process.kill('SIGTERM');
    expect((await proxy.ended()).exitCode).toBe(143);
    const error = proxy.ofType('cas/error').find((event) => event.clientRequestId === 'stuck');
    expect(error).toMatchObject({ method: 'thread/list', message: expect.stringMatching(/no reply within (the )?300 ms/) });
    expect(proxy.ofType('cas/fromServer').filter((event) => event.clientRequestId === 'stuck')).toEqual([]);
  });
});
