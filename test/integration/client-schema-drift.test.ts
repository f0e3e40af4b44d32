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
import { parseProblems, sendProblems } from '../helpers/json-schema-compat.js';

type Schema = Record<string, unknown>;
let dir: string;
let bundle: Schema;

const asJson = (schema: z.ZodType, io: 'input' | 'output' = 'output') => z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Schema;
const v2 = (name: string) => ({ $ref: `#/definitions/v2/${name}` });

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
});
