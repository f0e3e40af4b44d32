/**
 * How deeply `value` nests (a scalar is 0, `{}` and `[]` are 1), counted without recursion so a
 * hostile value cannot exhaust the stack; stops counting once past `limit`.
 */
export function jsonDepth(value: unknown, limit = Number.MAX_SAFE_INTEGER): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    const here = depth + 1;
    if (here > deepest) deepest = here;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, here]);
    }
  }
  return deepest;
}

/**
 * The app-server reads messages with serde_json's recursion limit: one nested deeper than this
 * (the message object itself counting as 1) is dropped as unreadable, with no reply at all.
 * Measured on codex 0.169.0: params of depth 126 (message depth 127) are read, 127 are not.
 */
export const MAX_MESSAGE_DEPTH = 127;

/** Deepest params a request may carry (the message and its params object are the first two levels). */
export const MAX_PARAMS_DEPTH = MAX_MESSAGE_DEPTH - 1;
