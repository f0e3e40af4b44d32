import * as z from 'zod';

/** JSON-RPC request id: the app-server accepts strings and integers. */
export const RequestIdSchema = z.union([z.string(), z.number().int()]);
export type RequestId = z.infer<typeof RequestIdSchema>;

/** The `error` member of an error response. */
export const RpcErrorObjectSchema = z.looseObject({
  code: z.number().int(),
  message: z.string(),
  data: z.unknown().optional(),
});
export type RpcErrorObject = z.infer<typeof RpcErrorObjectSchema>;

/** An error reply to one of our requests (this wire has no `jsonrpc` field). */
export const ErrorResponseSchema = z.looseObject({ id: RequestIdSchema, error: RpcErrorObjectSchema });

/** A successful reply; `result` may be any JSON value and is passed on untouched. */
export const ResultResponseSchema = z.looseObject({ id: RequestIdSchema, result: z.unknown() });

/** A request the server sends to us (approvals, tool calls, ...): must be answered with the same id. */
export const ServerRequestSchema = z.looseObject({
  id: RequestIdSchema,
  method: z.string(),
  params: z.unknown().optional(),
});
export type ServerRequest = z.infer<typeof ServerRequestSchema>;

/** A notification from the server: no id, no reply. */
export const NotificationSchema = z.looseObject({
  method: z.string(),
  params: z.unknown().optional(),
});
export type Notification = z.infer<typeof NotificationSchema>;

/** What we send as `initialize` params. */
export const InitializeParamsSchema = z.object({
  clientInfo: z.object({ name: z.string(), title: z.string().nullable().optional(), version: z.string() }),
  capabilities: z
    .object({
      experimentalApi: z.boolean().optional(),
      optOutNotificationMethods: z.array(z.string()).nullable().optional(),
    })
    .nullable()
    .optional(),
});
export type InitializeParams = z.infer<typeof InitializeParamsSchema>;

/** The `initialize` result we depend on (userAgent and codexHome go into reports and state files). */
export const InitializeResultSchema = z.looseObject({
  userAgent: z.string(),
  codexHome: z.string(),
  platformFamily: z.string().optional(),
  platformOs: z.string().optional(),
});
export type InitializeResult = z.infer<typeof InitializeResultSchema>;

/** One decoded message from the server, classified by shape. */
export type IncomingMessage =
  | { kind: 'result'; id: RequestId; result: unknown }
  | { kind: 'error'; id: RequestId; error: RpcErrorObject }
  | { kind: 'request'; message: ServerRequest }
  | { kind: 'notification'; message: Notification }
  | { kind: 'invalid'; value: unknown };
