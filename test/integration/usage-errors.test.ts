import { describe, expect, it } from 'vitest';
import { cas } from '../helpers/cas-cli.js';

const cases: Array<[string, string[], RegExp]> = [
  ['an unknown flag', ['run', '--method', 'thread/list', '--bogus'], /^cas: unknown flag --bogus; see --help$/],
  ['a mistyped flag', ['run', '--concurency', '2'], /^cas: unknown flag --concurency \(did you mean --concurrency\?\); see --help$/],
  ['a mistyped negation', ['batch', '-i', '-', '--no-progres'], /unknown flag --no-progres \(did you mean --no-progress\?\)/],
  ['a flag the command does not use', ['smoke', '--retries', '2'], /^cas: unknown flag --retries; see --help$/],
  ['a flag before the command', ['--json', 'run'], /name the command first/],
  ['a run dir under a file', ['run', '--run-dir', '/etc/passwd/x'], /^cas: --run-dir \/etc\/passwd\/x: \/etc\/passwd is not a directory$/],
  ['a state dir that is a file', ['run', '--state-dir', '/etc/passwd'], /^cas: --state-dir \/etc\/passwd: not a directory$/],
  ['a home that is a file', ['run', '--codex-home', '/etc/passwd'], /^cas: --codex-home \/etc\/passwd: not a directory$/],
  ['a run dir where none can be made', ['run', '--run-dir', '/proc/cas-run-dir'], /^cas: cannot create directory \/proc\/cas-run-dir \(ENOENT\)$/],
  ['a rate without an end', ['run', '--rate', '10'], /^cas: --rate needs an end: add --duration SECONDS or --requests N$/],
  ['no command', [], /name a command/],
  ['an unknown command', ['frobnicate'], /^cas: unknown command frobnicate; name one of run, /],
  ['a mistyped command', ['mien'], /unknown command mien \(did you mean mine\?\)/],
  ['a missing method', ['request'], /^cas: --method is required$/],
  ['a missing input', ['batch'], /^cas: --input is required$/],
  ['a timeout a Node timer cannot wait', ['run', '--request-timeout-ms', '1e12'], /--request-timeout-ms must be at most 2147483647/],
  ['a grace period a Node timer cannot wait', ['run', '--grace-ms', '1e10'], /--grace-ms must be at most 2147483647/],
  ['a concurrency no machine could hold', ['run', '--concurrency', '1e9'], /--concurrency must be at most 10000/],
  ['more slots in all than any run needs', ['batch', '-i', '-', '--instances', '100', '--concurrency', '10000'], /--instances x --concurrency is 1000000 requests in flight; at most 100000/],
  ['params not JSON', ['run', '-m', 'thread/list', '--params', '{limit:5}'], /--params is not valid JSON/],
  ['params not an object', ['run', '-m', 'thread/list', '--params', '[1,2]'], /--params must be a JSON object, got an array/],
  ['a missing params file', ['run', '-m', 'thread/list', '--params-file', '/nonexistent/p.json'], /--params-file \/nonexistent\/p.json: no such file/],
  ['both params flags', ['run', '-m', 'x', '--params', '{}', '--params-file', 'p.json'], /cannot be used together/],
  ['zero instances', ['run', '-m', 'thread/list', '--instances', '0'], /--instances must be at least 1 \(got 0\)/],
  ['a fractional count', ['run', '-m', 'thread/list', '--requests', '2.5'], /--requests must be a whole number/],
  ['a count that is not a number', ['run', '-m', 'thread/list', '--concurrency', 'many'], /--concurrency must be a number/],
  ['a negative timeout', ['run', '-m', 'thread/list', '--request-timeout-ms', '-5'], /--request-timeout-ms must not be negative/],
  ['a missing codex binary', ['run', '-m', 'thread/list', '--codex-bin', '/nonexistent/codex'], /--codex-bin \/nonexistent\/codex: not an executable file/],
  ['a missing template', ['run', '-m', 'thread/list', '--codex-home-template', '/nonexistent'], /--codex-home-template \/nonexistent: not a readable directory/],
  ['an unwritable --out', ['run', '-m', 'thread/list', '--out', '/nonexistent/dir/r.json'], /--out .*does not exist or is not writable/],
  ['backoff max below base', ['run', '-m', 'thread/list', '--backoff-base-ms', '100', '--backoff-max-ms', '10'], /--backoff-max-ms must be at least/],
  ['an unknown approval decision', ['run', '-m', 'thread/list', '--exec-approval', 'maybe'], /--exec-approval must be one of auto, accept, acceptForSession/],
  ['an unknown skill decision', ['run', '-m', 'thread/list', '--skill-approval', 'maybe'], /--skill-approval must be one of auto, approve, accept/],
  ['--read-only with an approving skill policy', ['proxy', '--read-only', '--skill-approval', 'approve'], /--read-only declines every approval/],
  ['a --cwd that is not a directory', ['run', '--cwd', '/nonexistent/work'], /^cas: --cwd \/nonexistent\/work: not a directory$/],
  ['a negative heartbeat', ['proxy', '--heartbeat-ms', '-1'], /--heartbeat-ms must not be negative/],
  ['a --state-file that cannot be made', ['proxy', '--state-file', '/proc/cas/state.json'], /--state-file \/proc\/cas\/state.json: cannot create directory \/proc\/cas \(ENOENT\)/],
  ['--read-only with an accepting policy', ['run', '-m', 'thread/list', '--read-only', '--exec-approval', 'accept'], /--read-only declines every approval/],
  ['forward outside the proxy', ['batch', '-i', '-', '--dynamic-tool-response', 'forward'], /--dynamic-tool-response forward needs cas proxy/],
  ['a tool response of the wrong shape', ['run', '-m', 'thread/list', '--dynamic-tool-response', '{"ok":true}'], /--dynamic-tool-response must look like \{"contentItems"/],
  ['a shard past the count', ['run', '-m', 'thread/list', '--shard', '4/4'], /--shard 4\/4: I must be a whole number from 0 to 3/],
  ['a shard that is not I/N', ['batch', '-i', '-', '--shard', 'half'], /--shard must be I\/N \(share I of N, from 0\) or auto/],
  ['--shard-count without --shard auto', ['batch', '-i', '-', '--shard-count', '3'], /--shard-count needs --shard auto/],
  ['--shard-count against --shard I/N', ['run', '-m', 'thread/list', '--shard', '1/3', '--shard-count', '4'], /--shard-count 4 contradicts --shard 1\/3/],
  ['a start time without a zone', ['run', '-m', 'thread/list', '--start-at', '2030-01-01T00:00:00'], /--start-at must be an ISO 8601 time with a zone/],
  ['merge --batch without --out', ['merge', '--batch', 'a.jsonl'], /--batch needs --out FILE/],
  ['merge --batch and --mine', ['merge', '--batch', '--mine', 'a.jsonl', '--out', 'b.jsonl'], /--batch and --mine cannot be used together/],
  ['merge with no files', ['merge', '--json'], /Not enough non-option arguments/],
  ['elicitation content without accept', ['run', '-m', 'thread/list', '--elicitation-content', '{}'], /--elicitation-content is only sent with --elicitation-action accept/],
];

describe('usage errors', () => {
  // Each case is one short cas process that starts no server: run a few at once (vitest's maxConcurrency).
  it.concurrent.for(cases)('%s: exit 2 with one line and no stack', async ([, args, message], { expect }) => {
    const { exitCode, stdout, stderr } = await cas(args);
    expect(exitCode).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^cas: /);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });

  it('a bad CAS_CODEX_BIN is a usage error too', async () => {
    const { exitCode, stderr } = await cas(['run', '-m', 'thread/list'], { env: { CAS_CODEX_BIN: '/nonexistent/codex' } });
    expect(exitCode).toBe(2);
    expect(stderr).toMatch(/CAS_CODEX_BIN \/nonexistent\/codex/);
  });

  it('--help prints usage with every run flag and exits 0', async () => {
    const { exitCode, stdout } = await cas(['run', '--help']);
    expect(exitCode).toBe(0);
    for (const flag of ['--instances', '--params-json', '--params-file', '--records', '--codex-home-template', '--no-progress', '--backoff-max-ms', '--require-all']) {
      expect(stdout).toContain(flag);
    }
  });

  it('each command lists only the flags that do something there', async () => {
    const help = async (command: string) => (await cas([command, '--help'])).stdout;
    const flags = (text: string) => new Set([...text.matchAll(/--[a-z][a-z0-9-]+/g)].map((match) => match[0]));
    const smoke = flags(await help('smoke'));
    for (const unused of ['--retries', '--backoff-base-ms', '--require-all', '--max-restarts', '--state-dir']) expect(smoke.has(unused)).toBe(false);
    const proxy = flags(await help('proxy'));
    for (const unused of ['--retries', '--backoff-max-ms', '--require-all', '--max-restarts', '--max-consecutive-timeouts']) expect(proxy.has(unused)).toBe(false);
    expect(flags(await help('request')).has('--require-all')).toBe(false);
    // The original cas's names lead to the same commands, with the flags of their own.
    const smokeCheck = flags(await help('smoke_check'));
    expect(smokeCheck).toEqual(smoke);
    expect(smoke.has('--cwd')).toBe(true);
    const runner = flags(await help('instance-runner'));
    for (const flag of ['--cwd', '--params-json', '--sample', '--state-file-dir', '--client-prefix', '--server-request-timeout-ms', '--skill-approval', '--verbose', '--budget-pacing']) expect(runner.has(flag)).toBe(true);
    for (const flag of ['--codex', '--cwd', '--client-name', '--client-title', '--client-version', '--heartbeat-ms', '--kill-timeout-ms', '--skill-approval', '--state-file', '--budget-pacing']) expect(proxy.has(flag)).toBe(true);
    const rateLimits = flags(await help('rate-limits'));
    expect([...rateLimits].sort()).toEqual(['--codex-arg', '--codex-bin', '--codex-home', '--cwd', '--help', '--json', '--request-timeout-ms', '--version']);
    const mine = await help('mine');
    expect(mine).not.toContain('--codex-home-template');
    expect(mine.match(/^\s+--codex-home\s/gm)).toHaveLength(1);
  });

  it('marks the flags a command cannot run without as required', async () => {
    // A flag's help entry runs from its line to the next flag's (long descriptions wrap).
    const entry = (help: string, flag: string) => help.split(/\n(?=\s+-)/).find((part) => part.includes(flag)) ?? '';
    expect(entry((await cas(['request', '--help'])).stdout, '--method')).toContain('[required]');
    expect(entry((await cas(['batch', '--help'])).stdout, '--input')).toContain('[required]');
    expect(entry((await cas(['run', '--help'])).stdout, '--method')).toContain('[default: "thread/list"]');
  });
});
