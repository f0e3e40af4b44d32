import { describe, expect, it } from 'vitest';
import {
  buildMockScript,
  DEFAULT_MOCK_USAGE,
  MockScriptError,
  parseMockScript,
  playMockScript,
  resolveMockScript,
  type MockReply,
} from '../../src/mock-model/mock-script.js';

/** The text or function name of each reply, to compare sequences at a glance. */
function labels(replies: MockReply[]): string[] {
  return replies.map((reply) => (reply.kind === 'message' ? reply.text : `call:${reply.name}`));
}

describe('MockScriptSchema defaults', () => {
  it('fills every top-level default in an empty script', () => {
    expect(resolveMockScript({})).toEqual({ steps: [], text: 'ok', delayMs: 0, usage: DEFAULT_MOCK_USAGE, afterToolText: 'done' });
  });

  it('keeps per-step delay and usage optional, falling back to the top-level ones', () => {
    const script = resolveMockScript({ delayMs: 7, usage: { inputTokens: 3, outputTokens: 4 }, steps: [{ text: 'a' }, { text: 'b', delayMs: 1, usage: { inputTokens: 9, outputTokens: 9 } }] });
    const player = playMockScript(script);
    expect(player.next(false)).toEqual({ kind: 'message', text: 'a', delayMs: 7, usage: { inputTokens: 3, outputTokens: 4 } });
    expect(player.next(false)).toEqual({ kind: 'message', text: 'b', delayMs: 1, usage: { inputTokens: 9, outputTokens: 9 } });
  });

  it('refuses bad scripts with a one-line message that says where', () => {
    expect(() => resolveMockScript({ steps: [{ text: 1 }] })).toThrow(/^steps\.0: must be \{"text": string\} or \{"functionCall"/);
    expect(() => resolveMockScript({ steps: [{ text: 'a', functionCall: { name: 'x', arguments: {} } }] })).toThrow(/^steps\.0: /);
    expect(() => resolveMockScript({ bogus: true })).toThrow(/^script: Unrecognized key: "bogus"/);
    expect(() => resolveMockScript({ delayMs: -1 })).toThrow(/^delayMs: /);
    expect(() => resolveMockScript({ usage: { inputTokens: 1.5, outputTokens: 1 } })).toThrow(/^usage\.inputTokens: /);
    expect(() => parseMockScript('{"steps": [')).toThrow(MockScriptError);
    expect(() => parseMockScript('{"steps": [')).toThrow(/^not valid JSON: /);
  });
});

describe('playMockScript', () => {
  it('serves the steps round-robin across requests', () => {
    const player = playMockScript(resolveMockScript({ steps: [{ text: 'one' }, { functionCall: { name: 'exec_command', arguments: { cmd: 'ls' } } }, { text: 'three' }] }));
    const replies = Array.from({ length: 7 }, () => player.next(false));
    expect(labels(replies)).toEqual(['one', 'call:exec_command', 'three', 'one', 'call:exec_command', 'three', 'one']);
  });

  it('answers tool follow-ups with afterToolText without advancing the steps', () => {
    const player = playMockScript(resolveMockScript({ afterToolText: 'finished', steps: [{ functionCall: { name: 'f', arguments: '{}' } }, { text: 'second' }] }));
    expect(labels([player.next(false), player.next(true), player.next(true), player.next(false), player.next(false)])).toEqual([
      'call:f',
      'finished',
      'finished',
      'second',
      'call:f',
    ]);
  });

  it('answers every request with the default text when there are no steps', () => {
    const player = playMockScript(resolveMockScript({ text: 'hello' }));
    expect(labels([player.next(false), player.next(false)])).toEqual(['hello', 'hello']);
  });

  it('sends object arguments as their JSON text and string arguments as they are', () => {
    const player = playMockScript(resolveMockScript({ steps: [{ functionCall: { name: 'f', arguments: { cmd: 'echo "hi"', n: 1 } } }, { functionCall: { name: 'g', arguments: 'raw text' } }] }));
    expect(player.next(false)).toMatchObject({ kind: 'functionCall', name: 'f', arguments: '{"cmd":"echo \\"hi\\"","n":1}' });
    expect(player.next(false)).toMatchObject({ kind: 'functionCall', name: 'g', arguments: 'raw text' });
  });
});

describe('buildMockScript', () => {
  it('gives the defaults without options', () => {
    expect(buildMockScript()).toEqual(resolveMockScript({}));
  });

  it('takes text, delay and token counts from the flags', () => {
    expect(buildMockScript({ text: 'pong', delayMs: 25, inputTokens: 100, outputTokens: 7 })).toEqual({
      steps: [],
      text: 'pong',
      delayMs: 25,
      usage: { inputTokens: 100, outputTokens: 7 },
      afterToolText: 'done',
    });
  });

  it('reads a script file and lets flags override its top-level values, one token count at a time', () => {
    const scriptText = JSON.stringify({ text: 'from file', delayMs: 5, usage: { inputTokens: 1, outputTokens: 2 }, afterToolText: 'bye', steps: [{ text: 's' }] });
    expect(buildMockScript({ scriptText, outputTokens: 50 })).toEqual({
      steps: [{ text: 's' }],
      text: 'from file',
      delayMs: 5,
      usage: { inputTokens: 1, outputTokens: 50 },
      afterToolText: 'bye',
    });
    expect(buildMockScript({ scriptText, text: 'flag', delayMs: 0 })).toMatchObject({ text: 'flag', delayMs: 0 });
  });

  it('throws a MockScriptError for a bad script file', () => {
    expect(() => buildMockScript({ scriptText: '[]' })).toThrow(MockScriptError);
    expect(() => buildMockScript({ scriptText: 'nope' })).toThrow(/not valid JSON/);
  });
});
