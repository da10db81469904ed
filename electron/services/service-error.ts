import type { BenchErrorCode, BenchErrorParams } from '../contract/envelope';

/** A failure the operator should see as it is: the dispatcher turns it into an error envelope. */
export class ServiceError extends Error {
  /** The specifics the screen's catalog sentence fills in (BenchError.params). */
  readonly params: BenchErrorParams | undefined;

  constructor(
    readonly code: BenchErrorCode,
    message: string,
    options?: { cause?: unknown; params?: BenchErrorParams },
  ) {
    super(message, options);
    this.params = options?.params;
    this.name = 'ServiceError';
  }
}
