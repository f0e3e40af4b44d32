import * as z from 'zod';

/** `model/list` params: paging, hidden models too, another configured provider. */
export const ModelListParamsSchema = z.looseObject({
  cursor: z.string().nullable().optional(),
  limit: z.number().int().min(0).nullable().optional(),
  includeHidden: z.boolean().nullable().optional(),
  modelProvider: z.string().nullable().optional(),
});
export type ModelListParams = z.input<typeof ModelListParamsSchema>;

/** One model the server offers. */
export const ModelSchema = z.looseObject({
  id: z.string(),
  model: z.string(),
  displayName: z.string(),
  description: z.string(),
  hidden: z.boolean(),
  isDefault: z.boolean(),
  defaultReasoningEffort: z.string(),
  supportedReasoningEfforts: z.array(z.looseObject({ reasoningEffort: z.string(), description: z.string() })),
});
export type Model = z.infer<typeof ModelSchema>;

/** `model/list` result: one page. */
export const ModelListResponseSchema = z.looseObject({ data: z.array(ModelSchema), nextCursor: z.string().nullable().optional() });
export type ModelListResponse = z.infer<typeof ModelListResponseSchema>;
