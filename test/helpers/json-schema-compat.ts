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

/** The alternatives of a union (nested unions flattened, refs followed); the schema itself when it is none. */
function alternativesOf(schema: Schema, root: Schema, depth = 0): Schema[] {
  const node = deref(schema, root);
  const alternatives = (node.anyOf ?? node.oneOf) as Schema[] | undefined;
  if (alternatives === undefined || depth > 8) return [node];
  // Fields beside a union (e.g. ThreadItem's startedAtMs) belong to every alternative.
  const shared = (node.properties ?? {}) as Record<string, Schema>;
  const sharedRequired = (node.required ?? []) as string[];
  return alternatives.flatMap((alt) =>
    alternativesOf(alt, root, depth + 1).map((one) =>
      one.properties === undefined && Object.keys(shared).length === 0
        ? one
        : { ...one, properties: { ...shared, ...((one.properties ?? {}) as Schema) }, required: [...sharedRequired, ...((one.required ?? []) as string[])] },
    ),
  );
}

/** The `type` a union alternative is for (`{type: {const: "x"}}` or a one-value enum), if any. */
function kindOf(schema: Schema): string | undefined {
  const type = ((schema.properties ?? {}) as Record<string, Schema>).type;
  if (type === undefined) return undefined;
  if (typeof type.const === 'string') return type.const;
  const values = type.enum as unknown[] | undefined;
  return values?.length === 1 && typeof values[0] === 'string' ? values[0] : undefined;
}

/** One object that any of `schemas` fits: every field any of them has, required only where all require it. */
function merged(schemas: Schema[]): Schema {
  const properties = Object.assign({}, ...schemas.map((one) => one.properties ?? {})) as Schema;
  const required = schemas.map((one) => new Set((one.required ?? []) as string[])).reduce((a, b) => new Set([...a].filter((name) => b.has(name))));
  return { type: 'object', properties, required: [...required] };
}

/**
 * Problems with a union of ours against the server's: each kind we name (by `type`) must be one
 * of the server's kinds, and is compared with it; a catch-all for newer kinds (a `type` without
 * a value) is skipped; an object without a kind (a nullable object, say) is compared with the
 * server's objects.
 */
function unionProblems(ours: Schema, upstream: Schema, root: Schema, at: string): string[] {
  const theirs = alternativesOf(upstream, root).filter((alt) => alt.properties !== undefined);
  const problems: string[] = [];
  for (const alt of alternativesOf(ours, root).filter((one) => one.properties !== undefined)) {
    const kind = kindOf(alt);
    if (kind === undefined && (alt.properties as Schema).type !== undefined) continue;
    const matches = kind === undefined ? theirs : theirs.filter((one) => kindOf(one) === kind);
    const where = kind === undefined ? at : `${at}<${kind}>`;
    if (matches.length === 0) problems.push(`${where}: the server has no such kind`);
    else problems.push(...parseProblems(alt, merged(matches), root, where));
  }
  return problems;
}

/**
 * Problems with parsing the server's `theirs` through our `ours`: every field we require must be
 * required upstream, and we must accept every type upstream may send; array items and union
 * alternatives are compared too.
 */
export function parseProblems(ours: Schema, theirs: Schema, root: Schema, at = '$'): string[] {
  const upstream = deref(theirs, root);
  const problems: string[] = [];
  if (!covers(typesOf(ours, root), typesOf(upstream, root))) {
    problems.push(`${at}: we accept ${[...typesOf(ours, root)]} but the server may send ${[...typesOf(upstream, root)]}`);
  }
  if (ours.anyOf !== undefined || ours.oneOf !== undefined) problems.push(...unionProblems(ours, upstream, root, at));
  if (ours.items !== undefined && upstream.items !== undefined) problems.push(...parseProblems(ours.items as Schema, upstream.items as Schema, root, `${at}[]`));
  // A plain object of ours against a union of the server's: what all its objects promise.
  const alternatives = upstream.anyOf !== undefined || upstream.oneOf !== undefined ? alternativesOf(upstream, root).filter((alt) => alt.properties !== undefined) : [];
  const object = ours.properties !== undefined && alternatives.length > 0 ? merged(alternatives) : upstream;
  const ourProps = (ours.properties ?? {}) as Record<string, Schema>;
  const theirProps = (object.properties ?? {}) as Record<string, Schema>;
  const theirRequired = new Set((object.required ?? []) as string[]);
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
