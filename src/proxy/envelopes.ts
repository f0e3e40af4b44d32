import * as z from 'zod';
import { RequestIdSchema, RpcErrorObjectSchema } from '../protocol/messages.js';

/** `cas/request`: send a request to the app-server. */
export const RequestEnvelopeSchema = z.object({
  type: z.literal('cas/request'),
  method: z.string().min(1),
  params: z.unknown().optional(),
  /** The orchestrator's own routing key, echoed on the reply's events. */
  clientRequestId: z.union([z.string(), z.number()]).optional(),
  /** The JSON-RPC id to use (default: one cas makes up). */
  id: RequestIdSchema.optional(),
});

/** `cas/respond`: answer a server request cas forwarded. */
export const RespondEnvelopeSchema = z
  .object({ type: z.literal('cas/respond'), id: RequestIdSchema, result: z.unknown().optional(), error: RpcErrorObjectSchema.optional() })
  .refine((value) => ('result' in value) !== (value.error !== undefined), { message: 'needs exactly one of "result" and "error"' });

/** `cas/send`: write any message to the app-server as is (escape hatch). */
export const SendEnvelopeSchema = z.object({ type: z.literal('cas/send'), msg: z.record(z.string(), z.unknown()) });

/** The envelopes without payload. */
export const SimpleEnvelopeSchema = z.object({ type: z.enum(['cas/state/get', 'cas/stats/get', 'cas/exit']) });

/** Anything the proxy reads on stdin. */
export type Envelope =
  | z.infer<typeof RequestEnvelopeSchema>
  | z.infer<typeof RespondEnvelopeSchema>
  | z.infer<typeof SendEnvelopeSchema>
  | z.infer<typeof SimpleEnvelopeSchema>;

/** The schema of each envelope type: checked against its own, so a problem is named precisely. */
const SCHEMAS: Readonly<Record<string, z.ZodType<Envelope>>> = {
  'cas/request': RequestEnvelopeSchema,
  'cas/respond': RespondEnvelopeSchema,
  'cas/send': SendEnvelopeSchema,
  'cas/state/get': SimpleEnvelopeSchema,
  'cas/stats/get': SimpleEnvelopeSchema,
  'cas/exit': SimpleEnvelopeSchema,
};

/** Parses one stdin line into an envelope, or says in one line why it is not one. */
export function parseEnvelope(text: string): { envelope: Envelope } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'not valid JSON' };
  }
  const type = (value as { type?: unknown } | null)?.type;
  const schema = typeof type === 'string' ? SCHEMAS[type] : undefined;
  if (schema === undefined) return { error: `not a known envelope (type ${JSON.stringify(type ?? null)})` };
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { error: `bad ${type}: ${issue?.path.join('.') || 'envelope'} ${issue?.message ?? ''}`.trim() };
  }
  return { envelope: parsed.data };
}
