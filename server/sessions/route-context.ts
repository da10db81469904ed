/** What the session, support-web and release-health routes need from the app that registers them. */
import { z } from 'zod';
import type { Logger } from '../../common/logger';
import { ServerError } from '../server-error';
import type { ServerInstance, TokenRole } from '../route-context';
export { tokenRoute } from '../route-context';
import type { ServerRepository } from '../store/server-repository';

export type { ServerInstance };
/** Who may use the support web view. */
export type ServerRole = Extract<TokenRole, 'admin' | 'support'>;

export interface FleetRouteContext {
  repository: ServerRepository;
  logger: Logger;
  now: () => Date;
  /** The role a token grants (constant-time comparison), for the web view's sign-in form. */
  roleOfToken(token: string): TokenRole | null;
}

export function parseInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  throw new ServerError('INVALID_REQUEST', `Invalid ${what}: ${where}${issue?.message ?? 'malformed'}.`);
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A time bound from a person: an ISO time, or a date (the start of that day for `from`, its end for `to`).
 * Normalised to the bench log's own format (toISOString) so that text comparison orders correctly.
 */
export function timeBound(edge: 'from' | 'to') {
  return z
    .string()
    .max(40)
    .transform((value, context) => {
      const text = DATE_ONLY.test(value) ? `${value}T${edge === 'from' ? '00:00:00.000' : '23:59:59.999'}Z` : value;
      const time = Date.parse(text);
      if (!Number.isFinite(time)) {
        context.addIssue({ code: 'custom', message: `expected an ISO 8601 time or a date (YYYY-MM-DD), got ${JSON.stringify(value)}` });
        return z.NEVER;
      }
      return new Date(time).toISOString();
    });
}
