// The error of one request to Orthanc: a WarehouseError that also tells
// the HTTP status (null when no answer came) and the request path, which
// the crawl records for resources it had to skip. Paths never hold
// credentials: those travel only in the Authorization header.

import { type ErrorCode, WarehouseError } from '../lib/errors';

export class OrthancError extends WarehouseError {
  readonly status: number | null;
  readonly path: string;

  constructor(
    code: ErrorCode,
    message: string,
    options: { status?: number | null; path: string; retryable?: boolean },
  ) {
    super(code, message, options.retryable ?? false);
    this.name = 'OrthancError';
    this.status = options.status ?? null;
    this.path = options.path;
  }
}
