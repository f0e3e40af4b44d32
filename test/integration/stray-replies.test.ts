import { describe, expect, it } from 'vitest';
import { connect } from '../../src/index.js';
import { fixture } from '../helpers/cas-cli.js';

describe('replies cas did not wait for', () => {
  it('tells a late reply (its request timed out) from a reply to an id never sent', async () => {
    const connection = await connect({ command: fixture('stray-replies.mjs'), args: ['app-server', '--delay-ms=300'], requestTimeoutMs: 50 });
    try {
      await expect(connection.request('thread/list', {})).rejects.toMatchObject({ kind: 'timeout' });
      await expect(connection.request('thread/list', {})).rejects.toMatchObject({ kind: 'timeout' });
      // Both real replies arrive after their timeouts; both strays at once.
      const deadline = Date.now() + 10_000;
      while (connection.stats.lateReplies < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(connection.stats).toMatchObject({ lateReplies: 2, unknownReplies: 2, pending: 0 });
    } finally {
      await connection.close();
    }
  });
});
