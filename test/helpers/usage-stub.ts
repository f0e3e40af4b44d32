import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** One window as the ChatGPT backend reports it. */
export interface StubWindow {
  usedPercent: number;
  windowMinutes: number;
  /** Seconds until it resets. */
  resetsIn: number;
}

/** What the stub answers, call after call (the last answer repeats). */
export type StubAnswer = { primary?: StubWindow; secondary?: StubWindow };

/**
 * A loopback stand-in for `<chatgpt_base_url>/backend-api/wham/usage`, the endpoint the real
 * app-server asks for `account/rateLimits/read`: the rest of the server is real.
 */
export interface UsageStub {
  url: string;
  /** Usage reads served so far. */
  readonly reads: number;
  close(): Promise<void>;
}

function backendWindow(window: StubWindow | undefined) {
  if (window === undefined) return null;
  const now = Math.floor(Date.now() / 1000);
  return { used_percent: window.usedPercent, limit_window_seconds: window.windowMinutes * 60, reset_after_seconds: window.resetsIn, reset_at: now + window.resetsIn };
}

export async function startUsageStub(answers: StubAnswer[]): Promise<UsageStub> {
  let reads = 0;
  const server: Server = createServer((request, response) => {
    request.resume();
    if (!request.url?.startsWith('/backend-api/wham/usage')) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    const answer = answers[Math.min(reads, answers.length - 1)]!;
    reads++;
    const body = { plan_type: 'pro', rate_limit: { allowed: true, limit_reached: false, primary_window: backendWindow(answer.primary), secondary_window: backendWindow(answer.secondary) }, credits: { has_credits: false, unlimited: false, balance: null } };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/backend-api/`,
    get reads() {
      return reads;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** An unsigned JWT: the server reads its claims, it does not check a signature offline. */
const jwt = (claims: Record<string, unknown>) => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.unsigned`;

/** A home logged in with ChatGPT (fake tokens) whose backend is the stub; `extraConfig` is appended to config.toml. */
export async function chatgptHome(home: string, stub: UsageStub, extraConfig = ''): Promise<string> {
  await mkdir(home, { recursive: true });
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const claims = { 'https://api.openai.com/auth': { chatgpt_plan_type: 'pro', chatgpt_account_id: 'acct-test', chatgpt_user_id: 'user-test' } };
  const tokens = { id_token: jwt({ exp, email: 'test@example.com', ...claims }), access_token: jwt({ exp, ...claims }), refresh_token: 'refresh-test', account_id: 'acct-test' };
  await writeFile(path.join(home, 'auth.json'), JSON.stringify({ auth_mode: 'chatgpt', OPENAI_API_KEY: null, tokens, last_refresh: new Date().toISOString() }), { mode: 0o600 });
  await writeFile(path.join(home, 'config.toml'), `chatgpt_base_url = "${stub.url}"\n${extraConfig}`);
  return home;
}
