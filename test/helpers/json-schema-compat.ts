// Compares a zod schema of ours (as JSON Schema) with the app-server's generated schema: enough
// to notice when a field we depend on disappears, becomes optional, or changes type.
type Schema = Record<string, unknown>;

/** Follows `$ref` (and a single-element `allOf`) into `root.definitions`. */
export function deref(schema: Schema, root: Schema): Schema {
  let current = schema;
  for (let guard = 0; guard < 20; guard++) {
    const ref = current.$ref;
    if (typeof ref === 'string') {
      const parts = ref.replace(/^#\//, '').split('/');
      current = parts.reduce<Schema>((node, key) => (node[key] as Schema) ?? {}, root);
      continue;
    }
    const allOf = current.allOf as Schema[] | undefined;
    if (allOf?.length === 1) {
      current = allOf[0]!;
      continue;
    }
    return current;
  }
  return current;
}

/** The JSON types a schema admits; `any` when it says nothing. */
export function typesOf(schema: Schema, root: Schema): Set<string> {
  const node = deref(schema, root);
  const alternatives = (node.anyOf ?? node.oneOf) as Schema[] | undefined;
  if (alternatives !== undefined) return new Set(alternatives.flatMap((alt) => [...typesOf(alt, root)]));
  if (node.type === undefined) return new Set(['any']);
  const types = Array.isArray(node.type) ? (node.type as string[]) : [node.type as string];
  return new Set(types);
}

function covers(wider: Set<string>, narrower: Set<string>): boolean {
  if (wider.has('any')) return true;
  return [...narrower].every((type) => wider.has(type) || (type === 'integer' && wider.has('number')));
}

/**
 * Problems with parsing the server's `theirs` through our `ours`: every field we require must be
 * required upstream, and we must accept every type upstream may send.
 */
export function parseProblems(ours: Schema, theirs: Schema, root: Schema, at = '$'): string[] {
  const upstream = deref(theirs, root);
  const problems: string[] = [];
  if (!covers(typesOf(ours, root), typesOf(upstream, root))) {
    problems.push(`${at}: we accept ${[...typesOf(ours, root)]} but the server may send ${[...typesOf(upstream, root)]}`);
  }
  const ourProps = (ours.properties ?? {}) as Record<string, Schema>;
  const theirProps = (upstream.properties ?? {}) as Record<string, Schema>;
  const theirRequired = new Set((upstream.required ?? []) as string[]);
  for (const name of (ours.required ?? []) as string[]) {
    if (!theirRequired.has(name)) problems.push(`${at}.${name}: we require it, the server does not promise it`);
  }
  for (const [name, schema] of Object.entries(ourProps)) {
    if (theirProps[name] === undefined) problems.push(`${at}.${name}: no longer in the server's schema`);
    else problems.push(...parseProblems(schema, theirProps[name], root, `${at}.${name}`));
  }
  return problems;
}

/** Problems with sending `ours` to a server that expects `theirs`: known fields, and types it takes. */
export function sendProblems(ours: Schema, theirs: Schema, root: Schema, at = '$'): string[] {
  const upstream = deref(theirs, root);
  const problems: string[] = [];
  const ourTypes = new Set([...typesOf(ours, root)].filter((type) => type !== 'any'));
  if (!covers(typesOf(upstream, root), ourTypes)) problems.push(`${at}: we send ${[...ourTypes]}, the server takes ${[...typesOf(upstream, root)]}`);
  const theirProps = (upstream.properties ?? {}) as Record<string, Schema>;
  const ourRequired = new Set((ours.required ?? []) as string[]);
  for (const name of (upstream.required ?? []) as string[]) {
    if (!ourRequired.has(name)) problems.push(`${at}.${name}: the server requires it, we may leave it out`);
  }
  for (const [name, schema] of Object.entries((ours.properties ?? {}) as Record<string, Schema>)) {
    if (theirProps[name] === undefined) problems.push(`${at}.${name}: the server does not know it`);
    else problems.push(...sendProblems(schema, theirProps[name], root, `${at}.${name}`));
  }
  return problems;
}
