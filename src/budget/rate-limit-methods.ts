/** The method that reads the account's rate limits, and the notification that updates them (apart from their schemas, which not every importer needs). */
export const RATE_LIMITS_READ = 'account/rateLimits/read';
export const RATE_LIMITS_UPDATED = 'account/rateLimits/updated';
