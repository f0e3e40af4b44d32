import { describe, expect, it } from 'vitest';
import { versionFromUserAgent } from '../../src/codex/codex-version.js';
import { describeCodex } from '../../src/codex/describe-codex.js';

describe('versionFromUserAgent', () => {
  it('reads the codex version after the client name', () => {
    expect(versionFromUserAgent('cas/0.169.0 (Debian 12.0.0; x86_64) xterm (cas; 0.1.0)')).toBe('0.169.0');
    expect(versionFromUserAgent('scout-1/0.170.0-alpha.2 (Mac OS 15.1.0; arm64) unknown (scout-1; 0.1.0)')).toBe('0.170.0-alpha.2');
  });

  it('is null without a user agent or a version in it', () => {
    expect(versionFromUserAgent(null)).toBeNull();
    expect(versionFromUserAgent(undefined)).toBeNull();
    expect(versionFromUserAgent('')).toBeNull();
    expect(versionFromUserAgent('something else')).toBeNull();
    expect(versionFromUserAgent('cas/ (x)')).toBeNull();
  });
});

describe('describeCodex', () => {
  const ua = 'cas/0.169.0 (Debian 12.0.0; x86_64) xterm (cas; 0.1.0)';

  it('names the version, the binary and the rule that chose it', () => {
    expect(describeCodex({ path: '/x/bin/codex', source: 'bundled', userAgent: ua, version: '0.169.0' })).toBe('codex 0.169.0: /x/bin/codex (the bundled @openai/codex)');
    expect(describeCodex({ path: '/opt/codex', source: 'flag', userAgent: ua, version: '0.169.0' })).toBe('codex 0.169.0: /opt/codex (--codex-bin)');
    expect(describeCodex({ path: '/opt/codex', source: 'env', userAgent: ua, version: '0.169.0' })).toBe('codex 0.169.0: /opt/codex (CAS_CODEX_BIN)');
    expect(describeCodex({ path: '/opt/b', source: 'compare', userAgent: ua, version: '0.169.0' })).toBe('codex 0.169.0: /opt/b (--compare-bin)');
    expect(describeCodex({ path: 'ws://127.0.0.1:4500', source: 'connect', userAgent: ua, version: '0.169.0' })).toBe('server 0.169.0: ws://127.0.0.1:4500 (--connect)');
  });

  it('reads the version from the user agent of a report written without one', () => {
    expect(describeCodex({ path: '/opt/codex', source: 'path', userAgent: ua })).toBe('codex 0.169.0: /opt/codex (codex on PATH)');
  });

  it('says so when no server answered', () => {
    expect(describeCodex({ path: '/opt/codex', source: 'flag', userAgent: null, version: null })).toBe('codex (version unknown: no server answered): /opt/codex (--codex-bin)');
  });
});
