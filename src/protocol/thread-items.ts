import * as z from 'zod';
import { openEnum, openUnion } from './open-kinds.js';

// The items of a turn (ThreadItem of codex 0.169.0), one schema per kind: the fields the server
// promises (a drift test checks them against generate-json-schema), every other field kept.

/** How an item stands; a newer server may add values. */
const ItemStatusSchema = openEnum(['inProgress', 'completed', 'failed', 'declined']);
const nullable = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

/** One piece of a user's message as the server records it. */
export const UserContentSchema = openUnion([
  z.looseObject({ type: z.literal('text'), text: z.string() }),
  z.looseObject({ type: z.literal('image'), url: z.string().optional(), fileId: z.string().optional() }),
  z.looseObject({ type: z.literal('localImage'), path: z.string() }),
  z.looseObject({ type: z.literal('audio'), url: z.string().optional(), fileId: z.string().optional() }),
  z.looseObject({ type: z.literal('localAudio'), path: z.string() }),
  z.looseObject({ type: z.literal('skill'), name: z.string(), path: z.string() }),
  z.looseObject({ type: z.literal('mention'), name: z.string(), path: z.string() }),
]);
export type UserContent = z.infer<typeof UserContentSchema>;

/** Fields every item has. */
const base = {
  id: z.string(),
  /** When the item started / completed, in Unix ms, if recorded. */
  startedAtMs: nullable(z.number()),
  completedAtMs: nullable(z.number()),
};

/** The user's input to the turn. */
export const UserMessageItemSchema = z.looseObject({ ...base, type: z.literal('userMessage'), content: z.array(UserContentSchema), clientId: nullable(z.string()) });
/** A reply of the model. */
export const AgentMessageItemSchema = z.looseObject({ ...base, type: z.literal('agentMessage'), text: z.string(), phase: nullable(z.string()) });
/** The model's reasoning: summary parts and, when exposed, the raw text. */
export const ReasoningItemSchema = z.looseObject({ ...base, type: z.literal('reasoning'), summary: z.array(z.string()).optional(), content: z.array(z.string()).optional() });
/** A shell command the agent ran (or was refused): `status` is `declined` when an approval said no. */
export const CommandExecutionItemSchema = z.looseObject({
  ...base,
  type: z.literal('commandExecution'),
  command: z.string(),
  cwd: z.string(),
  status: ItemStatusSchema,
  commandActions: z.array(z.looseObject({ type: z.string() })),
  aggregatedOutput: nullable(z.string()),
  exitCode: nullable(z.number().int()),
  durationMs: nullable(z.number()),
  processId: nullable(z.string()),
});
/** One file of a patch; `kind.type` is `add`, `delete` or `update` (with `move_path`). */
export const FileUpdateChangeSchema = z.looseObject({ path: z.string(), kind: z.looseObject({ type: z.string() }), diff: z.string() });
/** A patch the agent applied (or was refused). */
export const FileChangeItemSchema = z.looseObject({ ...base, type: z.literal('fileChange'), changes: z.array(FileUpdateChangeSchema), status: ItemStatusSchema });
/** A call of an MCP server's tool. */
export const McpToolCallItemSchema = z.looseObject({
  ...base,
  type: z.literal('mcpToolCall'),
  server: z.string(),
  tool: z.string(),
  status: ItemStatusSchema,
  arguments: z.unknown(),
  result: nullable(z.looseObject({ content: z.array(z.unknown()) })),
  error: nullable(z.looseObject({ message: z.string() })),
  durationMs: nullable(z.number()),
});
/** A call of a dynamic tool the client provides (`item/tool/call`). */
export const DynamicToolCallItemSchema = z.looseObject({
  ...base,
  type: z.literal('dynamicToolCall'),
  tool: z.string(),
  status: ItemStatusSchema,
  arguments: z.unknown(),
  success: nullable(z.boolean()),
  durationMs: nullable(z.number()),
});
/** What a function call returned to the model. */
export const FunctionCallOutputItemSchema = z.looseObject({ ...base, type: z.literal('functionCallOutput'), name: z.string(), output: z.unknown() });
/** Text a hook added to the prompt. */
export const HookPromptItemSchema = z.looseObject({ ...base, type: z.literal('hookPrompt'), fragments: z.array(z.looseObject({ hookRunId: z.string(), text: z.string() })) });
/** A proposed plan (experimental). */
export const PlanItemSchema = z.looseObject({ ...base, type: z.literal('plan'), text: z.string() });
/** A request to another agent (spawn, send, wait, ...). */
export const CollabAgentToolCallItemSchema = z.looseObject({
  ...base,
  type: z.literal('collabAgentToolCall'),
  tool: z.string(),
  status: ItemStatusSchema,
  senderThreadId: z.string(),
  receiverThreadIds: z.array(z.string()),
  agentsStates: z.record(z.string(), z.unknown()),
  prompt: nullable(z.string()),
});
/** What a sub-agent did. */
export const SubAgentActivityItemSchema = z.looseObject({ ...base, type: z.literal('subAgentActivity'), kind: z.string(), agentThreadId: z.string(), agentPath: z.string() });
/** A web search. */
export const WebSearchItemSchema = z.looseObject({ ...base, type: z.literal('webSearch'), query: z.string() });
/** An image the agent looked at. */
export const ImageViewItemSchema = z.looseObject({ ...base, type: z.literal('imageView'), path: z.string() });
/** A pause of the agent. */
export const SleepItemSchema = z.looseObject({ ...base, type: z.literal('sleep'), durationMs: z.number() });
/** An image the model generated. */
export const ImageGenerationItemSchema = z.looseObject({ ...base, type: z.literal('imageGeneration'), status: z.string(), savedPath: nullable(z.string()) });
/** The thread entered / left review mode. */
export const EnteredReviewModeItemSchema = z.looseObject({ ...base, type: z.literal('enteredReviewMode'), review: z.string() });
export const ExitedReviewModeItemSchema = z.looseObject({ ...base, type: z.literal('exitedReviewMode'), review: z.string() });
/** The context was compacted here. */
export const ContextCompactionItemSchema = z.looseObject({ ...base, type: z.literal('contextCompaction') });

/** Every kind of item codex 0.169.0 sends (the drift test checks the list is complete). */
export const THREAD_ITEM_KINDS = [
  UserMessageItemSchema,
  AgentMessageItemSchema,
  ReasoningItemSchema,
  CommandExecutionItemSchema,
  FileChangeItemSchema,
  McpToolCallItemSchema,
  DynamicToolCallItemSchema,
  FunctionCallOutputItemSchema,
  HookPromptItemSchema,
  PlanItemSchema,
  CollabAgentToolCallItemSchema,
  SubAgentActivityItemSchema,
  WebSearchItemSchema,
  ImageViewItemSchema,
  SleepItemSchema,
  ImageGenerationItemSchema,
  EnteredReviewModeItemSchema,
  ExitedReviewModeItemSchema,
  ContextCompactionItemSchema,
] as const;

/**
 * One item of a turn, discriminated by `type`: narrow with `item.type === 'agentMessage'`. An
 * item of a kind newer than this list is kept as is (see {@link openUnion}).
 */
export const ThreadItemSchema = openUnion(THREAD_ITEM_KINDS);
export type ThreadItem = z.infer<typeof ThreadItemSchema>;
/** The item of one kind, e.g. `ThreadItemOf<'commandExecution'>`. */
export type ThreadItemOf<K extends ThreadItem['type']> = Extract<ThreadItem, { type: K }>;
export type ThreadItemKind = ThreadItem['type'];
