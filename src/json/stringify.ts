/**
 * `JSON.stringify(value, null, indent)` that also writes values nested too deeply for V8's
 * recursive serializer (about 5,000 levels), which a hostile server can send: the fast path
 * first, then an explicit stack. `undefined` and functions are dropped as JSON drops them.
 */
export function stringifyJson(value: unknown, indent = 0): string {
  try {
    return JSON.stringify(value, null, indent) ?? 'null';
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return stringifyIteratively(value, indent);
  }
}

type Frame = { kind: 'text'; text: string } | { kind: 'value'; value: unknown; depth: number };

function isSkipped(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

function stringifyIteratively(root: unknown, indent: number): string {
  const out: string[] = [];
  const newline = (depth: number) => (indent > 0 ? `\n${' '.repeat(indent * depth)}` : '');
  const colon = indent > 0 ? ': ' : ':';
  const stack: Frame[] = [{ kind: 'value', value: root, depth: 0 }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.kind === 'text') {
      out.push(frame.text);
      continue;
    }
    const { value, depth } = frame;
    if (isSkipped(value)) {
      // Only array items get here (skipped object members are left out below): JSON writes null.
      out.push('null');
      continue;
    }
    if (typeof value !== 'object' || value === null || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
      out.push(JSON.stringify(value) ?? 'null');
      continue;
    }
    const items: Array<[prefix: string, item: unknown]> = Array.isArray(value)
      ? value.map((item) => ['', item])
      : Object.entries(value)
          .filter(([, item]) => !isSkipped(item))
          .map(([key, item]) => [`${JSON.stringify(key)}${colon}`, item]);
    const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
    if (items.length === 0) {
      out.push(open + close);
      continue;
    }
    // Pushed in reverse, so they pop in order: opening bracket, items, closing bracket.
    const frames: Frame[] = [{ kind: 'text', text: open }];
    items.forEach(([prefix, item], index) => {
      frames.push({ kind: 'text', text: `${index > 0 ? ',' : ''}${newline(depth + 1)}${prefix}` });
      frames.push({ kind: 'value', value: item, depth: depth + 1 });
    });
    frames.push({ kind: 'text', text: `${newline(depth)}${close}` });
    for (let i = frames.length - 1; i >= 0; i--) stack.push(frames[i]!);
  }
  return out.join('');
}
