import { describe, expect, it } from 'vitest';

import { WarehouseError } from '../lib/errors';
import { toWarehouseError } from './warehouseError';

describe('toWarehouseError', () => {
  it('turns DuckDB-WASM JSON errors into DuckDB sentences', () => {
    const raw =
      '{"exception_type":"Parser","exception_message":"syntax error at or ' +
      'near \\"SELEC\\"","error_subtype":"SYNTAX_ERROR","position":"0"}';
    const error = toWarehouseError(new Error(raw));
    expect(error.code).toBe('warehouse');
    expect(error.message).toBe('Parser Error: syntax error at or near "SELEC"');
  });

  it('keeps plain messages and existing errors', () => {
    expect(
      toWarehouseError(new Error('Catalog Error: Table x does not exist!'))
        .message,
    ).toBe('Catalog Error: Table x does not exist!');
    const own = new WarehouseError('export', 'no');
    expect(toWarehouseError(own)).toBe(own);
    expect(toWarehouseError(new Error('{not json')).message).toBe('{not json');
  });

  it('says what to do when memory runs out', () => {
    const error = toWarehouseError(
      new Error('Out of Memory Error: could not allocate block of 256 KiB'),
    );
    expect(error.code).toBe('memory_limit');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/^The browser memory limit was reached\./);
    expect(error.message).toContain('could not allocate');
  });
});
