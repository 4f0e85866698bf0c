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
  | 'memory_limit'
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
  const code = isMemoryExhaustion(error) ? 'memory_limit' : 'internal';
  return { code, message, retryable: false };
}

/** What DuckDB, its WebAssembly heap and V8 say when memory runs out. */
const OUT_OF_MEMORY =
  /out of memory|could not allocate|bad_alloc|cannot enlarge memory|memory access out of bounds/i;

/** What V8 throws when the JavaScript heap cannot give an allocation. */
const JS_ALLOCATION =
  /allocation failed|invalid (string|array|typed array|array buffer) length/i;

/**
 * True for a failure that says memory ran out, wherever it showed:
 * DuckDB's "Out of Memory Error" at its memory_limit, a WebAssembly heap
 * that could not grow, a RangeError of the crawl worker's own heap.
 * Trying again cannot help; asking for less, or allowing more, can.
 */
export function isMemoryExhaustion(error: unknown): boolean {
  if (error instanceof WarehouseError) return error.code === 'memory_limit';
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof RangeError && JS_ALLOCATION.test(message)) return true;
  return OUT_OF_MEMORY.test(message);
}

/** The message of a load stopped by the memory ceiling. */
export function memoryLimitMessage(instances: number, staged = false): string {
  const then = staged
    ? 'then Resume: what this load fetched is kept.'
    : 'then load again.';
  return (
    `Browser memory limit reached after ${instances.toLocaleString('en-US')} ` +
    'instances; the warehouse is as it was before this load. Raise the ' +
    'Memory limit in the Advanced settings, leave out big resources such ' +
    'as instances_tags (every tag of every instance), or close other tabs, ' +
    then
  );
}

export function fromErrorData(data: ErrorData): WarehouseError {
  return new WarehouseError(data.code, data.message, data.retryable);
}
