import * as z from 'zod';

/**
 * A string field with known values that a newer server may extend: any string parses (a new
 * value must not fail a whole turn), and editors still offer the known ones.
 */
export function openEnum<const T extends readonly string[]>(_known: T): z.ZodType<T[number] | (string & {})> {
  return z.string();
}

/**
 * A union of the kinds of something this protocol version knows, discriminated by `type`, that
 * still parses an object of a kind a newer server added: kept as is, every field. The type names
 * only the known kinds so that `item.type === 'agentMessage'` narrows (TypeScript cannot narrow
 * an open union); code that switches on `type` needs a `default` for kinds it does not know.
 * An object of a known kind that lacks a field its kind promises fails, rather than passing as unknown.
 */
export function openUnion<const Options extends readonly [z.ZodObject, ...z.ZodObject[]]>(known: Options) {
  const kinds = new Set(known.map((option) => String((option.shape as { type: z.ZodLiteral }).type.value)));
  // Aborting, so that for a known kind the union reports why that kind failed (see describeIssue).
  const other = z.looseObject({ type: z.string().refine((type) => !kinds.has(type), { message: 'a known kind with missing or wrong fields', abort: true }) });
  return z.union([z.discriminatedUnion('type', known), other]) as unknown as z.ZodType<z.output<Options[number]>, z.input<Options[number]>>;
}
