// The errors of the whole data path. Each has a literal `code` that the UI
// and the tests can match on, and says whether trying again can help, so
// that retry loops and messages need no guessing from the text.

export type ErrorCode =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'bad_request'
  | 'server_error'
  | 'rate_limited'
  | 'network'
  | 'timeout'
  | 'not_orthanc'
  | 'bad_response'
  | 'cancelled'
  | 'warehouse'
  | 'export'
  | 'internal';

/** Base class: a message a user can act on, a code, a retry hint. */
export class WarehouseError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, retryable = false) {
    super(message);
    this.name = 'WarehouseError';
    this.code = code;
    this.retryable = retryable;
  }
}

/** An error as plain data, the only form that crosses a worker boundary. */
export interface ErrorData {
  code: ErrorCode;
  message: string;
  retryable: boolean;
}

export function toErrorData(error: unknown): ErrorData {
  if (error instanceof WarehouseError) {
    return {
      code: error.code,
      message: error.message,
      retryable: error.retryable,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message, retryable: false };
}

export function fromErrorData(data: ErrorData): WarehouseError {
  return new WarehouseError(data.code, data.message, data.retryable);
}
