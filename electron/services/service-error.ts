import type { BenchErrorCode } from '../contract/envelope';

/** A failure the operator should see as it is: the dispatcher turns it into an error envelope. */
export class ServiceError extends Error {
  constructor(
    readonly code: BenchErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ServiceError';
  }
}
