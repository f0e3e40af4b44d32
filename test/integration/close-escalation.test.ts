import { describe, expect, it } from 'vitest';
import { connect } from '../../src/index.js';
import { fixture, isAlive } from '../helpers/cas-cli.js';

describe('closing an app-server that will not stop', () => {
  it('escalates from stdin EOF to SIGTERM to SIGKILL', async () => {
    const connection = await connect({ command: fixture('stubborn.mjs'), args: ['app-server'] });
    const pid = connection.pid!;
    expect(await connection.request('thread/list', {})).toMatchObject({ data: [] });
    const exit = await connection.close({ graceMs: 200, termMs: 200 });
    expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(isAlive(pid)).toBe(false);
    // It did get the SIGTERM first, and said so.
    expect(connection.stderrTail().join('\n')).toContain('stubborn: ignoring SIGTERM');
  });
});
