import * as z from 'zod';

/** `experimentalFeature/list` params: paging, and optionally a loaded thread whose config to use. */
export const ExperimentalFeatureListParamsSchema = z.looseObject({
  cursor: z.string().nullable().optional(),
  limit: z.number().int().min(0).nullable().optional(),
  threadId: z.string().nullable().optional(),
});
export type ExperimentalFeatureListParams = z.input<typeof ExperimentalFeatureListParamsSchema>;

/** One feature flag; `stage` is e.g. `beta`, `underDevelopment`, `stable`, `deprecated`, `removed`. */
export const ExperimentalFeatureSchema = z.looseObject({
  name: z.string(),
  stage: z.string(),
  enabled: z.boolean(),
  defaultEnabled: z.boolean(),
});
export type ExperimentalFeature = z.infer<typeof ExperimentalFeatureSchema>;

/** `experimentalFeature/list` result: one page. */
export const ExperimentalFeatureListResponseSchema = z.looseObject({
  data: z.array(ExperimentalFeatureSchema),
  nextCursor: z.string().nullable().optional(),
});
export type ExperimentalFeatureListResponse = z.infer<typeof ExperimentalFeatureListResponseSchema>;
