/**
 * The one dispatcher behind every transport: looks the method up, validates the argument against the
 * contract, runs the handler and always answers with a result envelope.
 */
import type { z } from 'zod';
import { benchApiSchema, type MethodAccess, type MethodOutput, type MethodParsedInput } from '../contract/bench-api';
import { isBenchMethodName, type BenchMethodName } from '../contract/channels';
import { fail, ok, type BenchError, type Result } from '../contract/envelope';
import { ServiceError } from './service-error';

export type BenchHandlers = {
  [M in BenchMethodName]: (input: MethodParsedInput<M>) => Promise<MethodOutput<M>> | MethodOutput<M>;
};

export interface DispatchLogger {
  error(details: Record<string, unknown>, message: string): void;
}

export type Dispatch = (method: unknown, input: unknown) => Promise<Result<unknown>>;

/** Decides whether the current caller may use a method; returns the refusal, or null to go on. */
export type Authorize = (method: BenchMethodName, access: MethodAccess) => BenchError | null;

export const allowEveryone: Authorize = () => null;

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'argument'}: ${issue.message}`)
    .join('; ');
}

export function createDispatcher(handlers: BenchHandlers, logger: DispatchLogger, authorize: Authorize): Dispatch {
  return async (method, input) => {
    if (!isBenchMethodName(method)) {
      return fail('UNKNOWN_METHOD', `The bench services have no method called ${JSON.stringify(String(method)).slice(0, 80)}.`);
    }
    // Authorization before validation: a caller without the right learns nothing about the arguments.
    const refusal = authorize(method, benchApiSchema[method].access);
    if (refusal) return { ok: false, error: refusal };
    const parsed = benchApiSchema[method].input.safeParse(input);
    if (!parsed.success) {
      return fail('INVALID_ARGUMENT', `Invalid argument for ${method}: ${describeIssues(parsed.error)}.`);
    }
    try {
      const handler = handlers[method] as (value: unknown) => Promise<unknown> | unknown;
      return ok(await handler(parsed.data));
    } catch (error) {
      if (error instanceof ServiceError) return fail(error.code, error.message, error.params);
      logger.error({ method, err: error }, 'bench method failed unexpectedly');
      return fail('INTERNAL', `${method} failed unexpectedly; the details are in the application log.`);
    }
  };
}
