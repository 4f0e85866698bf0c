// DuckDB's own messages are kept (they name the table, column or syntax at
// fault), in the "Parser Error: ..." form DuckDB prints; only the few a
// user cannot act on get a sentence of advice.

import { isMemoryExhaustion, WarehouseError } from '../lib/errors';

export function toWarehouseError(error: unknown): WarehouseError {
  if (error instanceof WarehouseError) return error;
  const message = readable(
    error instanceof Error ? error.message : String(error),
  );
  if (isMemoryExhaustion(error)) {
    return new WarehouseError(
      'memory_limit',
      'The browser memory limit was reached. Raise the Memory limit in ' +
        'the Advanced settings, load fewer resources at a time or close ' +
        `other tabs. (${message})`,
    );
  }
  return new WarehouseError('warehouse', message);
}

/**
 * DuckDB-WASM reports some errors (parser errors among them) as a JSON
 * object; the user gets the sentence inside it.
 */
export function readable(message: string): string {
  if (!message.startsWith('{')) return message;
  try {
    const parsed = JSON.parse(message) as Record<string, unknown>;
    const text = parsed.exception_message;
    const type = parsed.exception_type;
    if (typeof text !== 'string') return message;
    return typeof type === 'string' ? `${type} Error: ${text}` : text;
  } catch {
    return message;
  }
}
