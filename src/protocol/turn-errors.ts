import * as z from 'zod';

/** The `error` notification: a turn's trouble, while it lasts (`willRetry`) or at its end. */
export const ErrorNotificationParamsSchema = z.looseObject({
  error: z.looseObject({ message: z.string(), additionalDetails: z.string().nullable().optional() }),
  willRetry: z.boolean(),
  threadId: z.string(),
  turnId: z.string(),
});
export type ErrorNotificationParams = z.infer<typeof ErrorNotificationParamsSchema>;

/** `Reconnecting... 5/5`: the server's last reconnect attempt. */
const LAST_ATTEMPT = /^Reconnecting\.\.\. (\d+)\/(\d+)$/;

/**
 * The detail when the server says it cannot reach the model and has run out of quick retries
 * (codex 0.169.0: `Reconnecting... 5/5`, then `Reconnecting... waiting for network` for ever),
 * else undefined. Offline, without a loopback model, every turn ends up here: a run can stop at
 * once with a hint instead of waiting out its turn timeout.
 */
export function modelUnreachable(params: ErrorNotificationParams): string | undefined {
  if (!params.willRetry) return undefined;
  const message = params.error.message;
  const last = LAST_ATTEMPT.exec(message);
  const exhausted = (last !== null && last[1] === last[2]) || message.includes('waiting for network');
  if (!exhausted) return undefined;
  return params.error.additionalDetails ?? message;
}
