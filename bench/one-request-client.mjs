// The yardstick of `cas request` in the startup section: a minimal client doing the same work as
// one process (a fresh CODEX_HOME, spawn `codex app-server`, initialize + initialized, one
// request, print its result, close stdin, wait for the server to exit, remove the home) and
// nothing else: no flags, no retries, no report.
//
//   node bench/one-request-client.mjs '<resolved codex JSON: {command, prefixArgs, env}>' <method> '<params JSON>'
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const [codexJson, method, paramsJson] = process.argv.slice(2);
const codex = JSON.parse(codexJson);
const home = mkdtempSync(path.join(tmpdir(), 'cas-bench-one-'));
const child = spawn(codex.command, [...(codex.prefixArgs ?? []), 'app-server'], {
  env: { ...process.env, ...codex.env, CODEX_HOME: home },
  stdio: ['pipe', 'pipe', 'ignore'],
});
const exited = new Promise((resolve) => child.once('exit', resolve));
const send = (message) => child.stdin.write(`${JSON.stringify(message)}\n`);

let buffered = '';
let result;
child.stdout.setEncoding('utf8');
child.stdout.on('data', (chunk) => {
  buffered += chunk;
  let newline;
  while ((newline = buffered.indexOf('\n')) !== -1) {
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      continue;
    }
    if (message.id === 1) {
      send({ method: 'initialized' });
      send({ id: 2, method, params: JSON.parse(paramsJson) });
    } else if (message.id === 2) {
      result = message;
      child.stdin.end();
    }
  }
});
send({ id: 1, method: 'initialize', params: { clientInfo: { name: 'bench', title: 'bench', version: '0' }, capabilities: { experimentalApi: true } } });
const code = await exited;
rmSync(home, { recursive: true, force: true });
if (result?.result === undefined) {
  process.stderr.write(`no result (server exit ${code}): ${JSON.stringify(result?.error ?? null)}\n`);
  process.exit(1);
}
process.stdout.write(`${JSON.stringify(result.result)}\n`);
