import { z } from 'zod';

/** A whole number >= 1. */
export const positiveInt = z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).min(1, { error: 'must be at least 1' });

/** A whole number >= 0. */
export const nonNegativeInt = z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).min(0, { error: 'must not be negative' });

/** A number > 0 (seconds may be fractional). */
export const positiveNumber = z.number({ error: 'must be a number' }).positive({ error: 'must be greater than 0' });

/** A flag given once, as a string. */
export const singleString = z.string({ error: 'must be given once, with a value' }).min(1, { error: 'must not be empty' });

/** A repeatable string flag: absent, once, or several times. */
export const repeatedString = z
  .union([z.string(), z.array(z.string())], { error: 'must be a string' })
  .optional()
  .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]));
