import type { MockReply, MockUsage } from './mock-script.js';

/** One Responses API stream event: `type` is also the SSE event name. */
export interface ResponsesEvent {
  /** E.g. `response.completed`. */
  type: string;
  [field: string]: unknown;
}

/** Ids of one reply; unique per server so a thread never sees the same call_id twice. */
export interface ReplyIds {
  /** `response.id`. */
  responseId: string;
  /** The output item's id (messages) or `call_id` (function calls). */
  itemId: string;
}

function outputItem(reply: MockReply, ids: ReplyIds): Record<string, unknown> {
  if (reply.kind === 'message') {
    return { type: 'message', role: 'assistant', id: ids.itemId, content: [{ type: 'output_text', text: reply.text }] };
  }
  return { type: 'function_call', call_id: ids.itemId, name: reply.name, arguments: reply.arguments };
}

function usageOf(usage: MockUsage): Record<string, unknown> {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: null,
    output_tokens: usage.outputTokens,
    output_tokens_details: null,
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

/** The events of one reply: `response.created`, one `response.output_item.done`, `response.completed`. */
export function replyEvents(reply: MockReply, ids: ReplyIds): ResponsesEvent[] {
  return [
    { type: 'response.created', response: { id: ids.responseId } },
    { type: 'response.output_item.done', item: outputItem(reply, ids) },
    { type: 'response.completed', response: { id: ids.responseId, usage: usageOf(reply.usage) } },
  ];
}

/** Formats events as a Server-Sent Events body: `event: <type>\ndata: <json>\n\n` each. */
export function sseBody(events: readonly ResponsesEvent[]): string {
  return events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join('');
}
