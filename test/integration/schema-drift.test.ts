import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { resolveCodex } from '../../src/codex/resolve-codex.js';
import {
  ErrorResponseSchema,
  InitializeParamsSchema,
  InitializeResultSchema,
  NotificationSchema,
  RequestIdSchema,
  ResultResponseSchema,
  ServerRequestSchema,
} from '../../src/protocol/messages.js';
import { READ_ONLY_METHODS } from '../../src/protocol/read-methods.js';
import {
  AuthTokensRefreshResponseSchema,
  CommandApprovalParamsSchema,
  CommandApprovalResponseSchema,
  CurrentTimeResponseSchema,
  DynamicToolCallParamsSchema,
  DynamicToolCallResponseSchema,
  ElicitationResponseSchema,
  FileChangeApprovalParamsSchema,
  FileChangeApprovalResponseSchema,
  PermissionsApprovalParamsSchema,
  PermissionsApprovalResponseSchema,
  ServerRequestMethod,
  UserInputParamsSchema,
  UserInputResponseSchema,
} from '../../src/protocol/server-requests.js';
import { ThreadStartResultSchema, TurnCompletedParamsSchema, TurnStartResultSchema } from '../../src/protocol/turns.js';
import { ThreadListPageSchema, ThreadReadResultSchema } from '../../src/mine/list-params.js';
import { ItemsPageSchema, TurnsPageSchema } from '../../src/mine/thread-reader.js';
import { parseProblems, sendProblems } from '../helpers/json-schema-compat.js';
import { RateLimitsResultSchema, RateLimitsUpdatedParamsSchema } from '../../src/budget/rate-limits.js';

type Schema = Record<string, unknown>;
let dir: string;
let bundle: Schema;

const asJson = (schema: z.ZodType, io: 'input' | 'output' = 'output') => z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Schema;
const def = (name: string) => ({ $ref: `#/definitions/${name}` });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-schema-'));
  const codex = resolveCodex();
  await execa(codex.command, [...codex.prefixArgs, 'app-server', 'generate-json-schema', '--experimental', '--out', dir], {
    env: { ...codex.env, CODEX_HOME: dir },
  });
  bundle = JSON.parse(await readFile(path.join(dir, 'codex_app_server_protocol.schemas.json'), 'utf8')) as Schema;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('our protocol schemas match the pinned app-server', () => {
  it('parses the JSON-RPC envelopes the server sends', () => {
    const root = bundle;
    expect(parseProblems(asJson(RequestIdSchema), def('RequestId'), root)).toEqual([]);
    expect(parseProblems(asJson(ErrorResponseSchema), def('JSONRPCError'), root)).toEqual([]);
    expect(parseProblems(asJson(ResultResponseSchema), def('JSONRPCResponse'), root)).toEqual([]);
    expect(parseProblems(asJson(ServerRequestSchema), def('JSONRPCRequest'), root)).toEqual([]);
    expect(parseProblems(asJson(NotificationSchema), def('JSONRPCNotification'), root)).toEqual([]);
  });

  it('sends initialize params the server takes, and parses its answer', () => {
    const root = bundle;
    expect(sendProblems(asJson(InitializeParamsSchema, 'input'), def('InitializeParams'), root)).toEqual([]);
    expect(parseProblems(asJson(InitializeResultSchema), def('InitializeResponse'), root)).toEqual([]);
  });

  it('would notice a drift: a field we require that the server does not promise', () => {
    const stricter = InitializeResultSchema.extend({ serverVersion: z.string() });
    expect(parseProblems(asJson(stricter), def('InitializeResponse'), bundle)).toEqual([
      '$.serverVersion: we require it, the server does not promise it',
      '$.serverVersion: no longer in the server\'s schema',
    ]);
  });

  /** A generated schema file (top level or v2/), as its own root. */
  async function generated(name: string): Promise<Schema> {
    const read = (file: string) => readFile(path.join(dir, file), 'utf8').then((text) => JSON.parse(text) as Schema);
    return read(`${name}.json`).catch(() => read(`v2/${name}.json`));
  }

  it('parses the server requests cas answers, and answers them in the shapes the server takes', async () => {
    const parsed: Array<[z.ZodType, string]> = [
      [CommandApprovalParamsSchema, 'CommandExecutionRequestApprovalParams'],
      [FileChangeApprovalParamsSchema, 'FileChangeRequestApprovalParams'],
      [PermissionsApprovalParamsSchema, 'PermissionsRequestApprovalParams'],
      [UserInputParamsSchema, 'ToolRequestUserInputParams'],
      [DynamicToolCallParamsSchema, 'DynamicToolCallParams'],
    ];
    for (const [ours, name] of parsed) {
      const theirs = await generated(name);
      expect({ name, problems: parseProblems(asJson(ours), theirs, theirs) }).toEqual({ name, problems: [] });
    }
    const sent: Array<[z.ZodType, string]> = [
      [CommandApprovalResponseSchema, 'CommandExecutionRequestApprovalResponse'],
      [FileChangeApprovalResponseSchema, 'FileChangeRequestApprovalResponse'],
      [PermissionsApprovalResponseSchema, 'PermissionsRequestApprovalResponse'],
      [UserInputResponseSchema, 'ToolRequestUserInputResponse'],
      [ElicitationResponseSchema, 'McpServerElicitationRequestResponse'],
      [DynamicToolCallResponseSchema, 'DynamicToolCallResponse'],
      [AuthTokensRefreshResponseSchema, 'ChatgptAuthTokensRefreshResponse'],
      [CurrentTimeResponseSchema, 'CurrentTimeReadResponse'],
    ];
    for (const [ours, name] of sent) {
      const theirs = await generated(name);
      expect({ name, problems: sendProblems(asJson(ours, 'input'), theirs, theirs) }).toEqual({ name, problems: [] });
    }
  });

  it('knows every server request method it names', async () => {
    const requests = JSON.parse(await readFile(path.join(dir, 'ServerRequest.json'), 'utf8')) as { oneOf: Schema[] };
    const methods = new Set(requests.oneOf.flatMap((variant) => ((variant.properties as Schema).method as { enum: string[] }).enum));
    expect(Object.values(ServerRequestMethod).filter((method) => !methods.has(method))).toEqual([]);
  });

  it('parses the thread and turn replies and notifications the workloads depend on', async () => {
    const pairs: Array<[z.ZodType, string]> = [
      [ThreadStartResultSchema, 'ThreadStartResponse'],
      [TurnStartResultSchema, 'TurnStartResponse'],
      [TurnCompletedParamsSchema, 'TurnCompletedNotification'],
      [ThreadListPageSchema, 'ThreadListResponse'],
      [ThreadReadResultSchema, 'ThreadReadResponse'],
      [TurnsPageSchema, 'ThreadTurnsListResponse'],
      [ItemsPageSchema, 'ThreadItemsListResponse'],
      // The budget governor reads these.
      [RateLimitsResultSchema, 'GetAccountRateLimitsResponse'],
      [RateLimitsUpdatedParamsSchema, 'AccountRateLimitsUpdatedNotification'],
    ];
    for (const [ours, name] of pairs) {
      const theirs = await generated(name);
      expect({ name, problems: parseProblems(asJson(ours), theirs, theirs) }).toEqual({ name, problems: [] });
    }
  });

  it('lists as read-only only methods the server still has', async () => {
    const requests = JSON.parse(await readFile(path.join(dir, 'ClientRequest.json'), 'utf8')) as { oneOf: Schema[] };
    const methods = new Set(requests.oneOf.flatMap((variant) => ((variant.properties as Schema).method as { enum: string[] }).enum));
    expect(methods.has('thread/list')).toBe(true);
    expect([...READ_ONLY_METHODS].filter((method) => !methods.has(method))).toEqual([]);
  });
});
