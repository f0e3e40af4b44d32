import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { resolveCodex } from '../../src/codex/resolve-codex.js';
import {
  ExperimentalFeatureListParamsSchema,
  ExperimentalFeatureListResponseSchema,
} from '../../src/protocol/experimental-features.js';
import {
  ThreadListFiltersSchema,
  ThreadListResponseSchema,
  ThreadResumeParamsSchema,
  ThreadResumeResponseSchema,
  ThreadStartParamsSchema,
  ThreadStartResponseSchema,
} from '../../src/protocol/threads.js';
import {
  TurnInterruptParamsSchema,
  TurnInterruptResponseSchema,
  TurnStartedParamsSchema,
  TurnStartParamsSchema,
  TurnStartResponseSchema,
  TurnSteerParamsSchema,
  TurnSteerResponseSchema,
} from '../../src/protocol/turn-requests.js';
import { CLIENT_METHODS } from '../../src/protocol/client-methods.js';
import { NOTIFICATION_PARAMS } from '../../src/protocol/notifications.js';
import { AgentMessageItemSchema, THREAD_ITEM_KINDS, ThreadItemSchema, UserContentSchema } from '../../src/protocol/thread-items.js';
import { ThreadSchema } from '../../src/protocol/threads.js';
import { TurnSchema } from '../../src/protocol/turns.js';
import { parseProblems, sendProblems } from '../helpers/json-schema-compat.js';

type Schema = Record<string, unknown>;
let dir: string;
let bundle: Schema;

const asJson = (schema: z.ZodType, io: 'input' | 'output' = 'output') => z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Schema;
const v2 = (name: string) => ({ $ref: `#/definitions/v2/${name}` });
const readJson = async (name: string) => JSON.parse(await readFile(path.join(dir, name), 'utf8')) as Schema;

/** The `type` values of a server union's alternatives. */
function kindsOf(name: string): string[] {
  const union = ((bundle.definitions as Schema).v2 as Record<string, { oneOf: Schema[] }>)[name]!;
  return union.oneOf.map((alt) => ((alt.properties as Schema).type as { enum: string[] }).enum[0]!).sort();
}

/** Method -> its `params` schema, from a generated ClientRequest.json or ServerNotification.json. */
function paramsByMethod(file: Schema): Map<string, Schema> {
  return new Map(
    (file.oneOf as Schema[]).map((variant) => {
      const properties = variant.properties as Record<string, Schema>;
      return [(properties.method as { enum: string[] }).enum[0]!, properties.params ?? {}];
    }),
  );
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-client-schema-'));
  const codex = resolveCodex();
  await execa(codex.command, [...codex.prefixArgs, 'app-server', 'generate-json-schema', '--experimental', '--out', dir], {
    env: { ...codex.env, CODEX_HOME: dir },
  });
  bundle = JSON.parse(await readFile(path.join(dir, 'codex_app_server_protocol.schemas.json'), 'utf8')) as Schema;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the client library schemas match the pinned app-server', () => {
  it.each([
    ['ThreadStartParams', ThreadStartParamsSchema],
    ['ThreadResumeParams', ThreadResumeParamsSchema],
    ['ThreadListParams', ThreadListFiltersSchema],
    ['TurnStartParams', TurnStartParamsSchema],
    ['TurnSteerParams', TurnSteerParamsSchema],
    ['TurnInterruptParams', TurnInterruptParamsSchema],
    ['ExperimentalFeatureListParams', ExperimentalFeatureListParamsSchema],
  ] as const)('sends %s the server takes', (name, schema) => {
    expect(sendProblems(asJson(schema, 'input'), v2(name), bundle)).toEqual([]);
  });

  it.each([
    ['ThreadStartResponse', ThreadStartResponseSchema],
    ['ThreadResumeResponse', ThreadResumeResponseSchema],
    ['ThreadListResponse', ThreadListResponseSchema],
    ['TurnStartResponse', TurnStartResponseSchema],
    ['TurnStartedNotification', TurnStartedParamsSchema],
    ['TurnSteerResponse', TurnSteerResponseSchema],
    ['TurnInterruptResponse', TurnInterruptResponseSchema],
    ['ExperimentalFeatureListResponse', ExperimentalFeatureListResponseSchema],
  ] as const)('parses %s', (name, schema) => {
    expect(parseProblems(asJson(schema), v2(name), bundle)).toEqual([]);
  });

  it('would notice a steer that may leave out expectedTurnId', () => {
    const lax = TurnSteerParamsSchema.extend({ expectedTurnId: z.string().optional() });
    expect(sendProblems(asJson(lax, 'input'), v2('TurnSteerParams'), bundle)).toEqual([
      '$.expectedTurnId: the server requires it, we may leave it out',
    ]);
  });

  it('knows every kind of thread item and of user content the server sends, and parses each', () => {
    expect(THREAD_ITEM_KINDS.map((kind) => kind.shape.type.value).sort()).toEqual(kindsOf('ThreadItem'));
    expect(parseProblems(asJson(ThreadItemSchema), v2('ThreadItem'), bundle)).toEqual([]);
    const contentKinds = (asJson(UserContentSchema).anyOf as Schema[]).flatMap((alt) => (alt.oneOf as Schema[] | undefined) ?? []);
    expect(contentKinds.map((alt) => ((alt.properties as Schema).type as { const: string }).const).sort()).toEqual(kindsOf('UserInput'));
    expect(parseProblems(asJson(UserContentSchema), v2('UserInput'), bundle)).toEqual([]);
  });

  it('parses whole turns and threads, items included', () => {
    expect(parseProblems(asJson(TurnSchema), v2('Turn'), bundle)).toEqual([]);
    expect(parseProblems(asJson(ThreadSchema), v2('Thread'), bundle)).toEqual([]);
  });

  it('would notice an item kind the server dropped, or a field it no longer promises', () => {
    const drifted = z.union([AgentMessageItemSchema.extend({ tokens: z.number() }), z.looseObject({ type: z.literal('hologram'), id: z.string() })]);
    expect(parseProblems(asJson(drifted), v2('ThreadItem'), bundle)).toEqual([
      '$<agentMessage>.tokens: we require it, the server does not promise it',
      "$<agentMessage>.tokens: no longer in the server's schema",
      '$<hologram>: the server has no such kind',
    ]);
  });

  it('types the params of notifications the server sends', async () => {
    const root = await readJson('ServerNotification.json');
    const sent = paramsByMethod(root);
    for (const [method, schema] of Object.entries(NOTIFICATION_PARAMS)) {
      const theirs = sent.get(method);
      expect({ method, known: theirs !== undefined }).toEqual({ method, known: true });
      expect({ method, problems: parseProblems(asJson(schema), theirs!, root) }).toEqual({ method, problems: [] });
    }
  });

  it('types requests the server takes, and parses their results', async () => {
    const root = await readJson('ClientRequest.json');
    const taken = paramsByMethod(root);
    for (const [method, { params, result }] of Object.entries(CLIENT_METHODS)) {
      const theirs = taken.get(method);
      expect({ method, known: theirs !== undefined }).toEqual({ method, known: true });
      expect({ method, problems: sendProblems(asJson(params, 'input'), theirs!, root) }).toEqual({ method, problems: [] });
      // The reply is named after the params: ThreadReadParams -> ThreadReadResponse.
      const ref = JSON.stringify(theirs).match(/definitions\/(\w+)Params"/)?.[1];
      expect({ method, problems: parseProblems(asJson(result), v2(`${ref}Response`), bundle) }).toEqual({ method, problems: [] });
    }
  });
});
