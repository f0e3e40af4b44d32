/** JSON-RPC error codes the app-server uses (see ../shared/notes/app-server.md). */
export const RpcErrorCode = {
  /** Malformed request, unknown method, bad params, or "Not initialized". */
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** "Server overloaded; retry later.": the request was refused unprocessed, so a retry is always safe. */
  overloaded: -32001,
} as const;

/**
 * Codes cas itself gives to failures that never got a JSON-RPC error from the server.
 * Strings, so they can never collide with a server's numeric code.
 */
export const LocalErrorCode = {
  /** No reply within the request timeout. */
  timeout: 'timeout',
  /** The app-server exited (or was closed) while the request was pending. */
  exited: 'exited',
  /** No instance was left to run the request. */
  unavailable: 'unavailable',
  /** The app-server binary could not be run at all (missing, not executable). */
  spawnFailed: 'spawn-failed',
  /** A WebSocket server refused the token (HTTP 401/403): retrying will not help. */
  unauthorized: 'unauthorized',
  /** A turn ended with status `failed` (or `interrupted`: `turn-interrupted`). */
  turnFailed: 'turn-failed',
  turnInterrupted: 'turn-interrupted',
  /** The server cannot reach the model (offline, or a provider that does not answer) and keeps retrying. */
  modelUnreachable: 'model-unreachable',
  /** A reply did not have the shape cas depends on. */
  unexpectedReply: 'unexpected-reply',
  /** A batch input line that is not a request. */
  badInput: 'bad-input',
  /** A batch line not run because `--fail-fast` stopped the batch. */
  skipped: 'skipped',
  /** A request still waiting when the grace period after SIGINT/SIGTERM ran out. */
  interrupted: 'interrupted',
} as const;

export type LocalErrorCode = (typeof LocalErrorCode)[keyof typeof LocalErrorCode];
/** A failure code: the server's JSON-RPC code, or one of cas's own (always a string). */
export type ErrorCode = number | LocalErrorCode;
