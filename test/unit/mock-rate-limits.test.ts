import { describe, expect, it } from 'vitest';
import { playMockScript, resolveMockScript } from '../../src/mock-model/mock-script.js';
import { rateLimitHeaders } from '../../src/mock-model/rate-limit-headers.js';

describe('mock model rate limits', () => {
  it('become the x-codex-* headers codex reads, resets counted from now', () => {
    expect(rateLimitHeaders({ primary: { usedPercent: 96, windowMinutes: 300, resetsInSeconds: 60 }, secondary: { usedPercent: 5 } }, 1000)).toEqual({
      'x-codex-primary-used-percent': '96',
      'x-codex-primary-window-minutes': '300',
      'x-codex-primary-reset-at': '1060',
      'x-codex-secondary-used-percent': '5',
    });
    expect(rateLimitHeaders(undefined, 1000)).toEqual({});
  });

  it('ride on a script step, and only on it', () => {
    const script = resolveMockScript({ steps: [{ text: 'a', rateLimits: { primary: { usedPercent: 50 } } }, { text: 'b' }] });
    const player = playMockScript(script);
    expect(player.next(false).rateLimits).toEqual({ primary: { usedPercent: 50 } });
    expect(player.next(false).rateLimits).toBeUndefined();
    expect(() => resolveMockScript({ steps: [{ text: 'a', rateLimits: { primary: { usedPercent: -1 } } }] })).toThrow(/steps\.0\.rateLimits\.primary\.usedPercent/);
  });
});
