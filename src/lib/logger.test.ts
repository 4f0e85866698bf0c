import { describe, expect, it } from 'vitest';
import { createLogger, type LogLevel } from './logger';

describe('createLogger', () => {
  it('passes entries at or above the level to the sink, in order', () => {
    const seen: [LogLevel, string][] = [];
    const log = createLogger(
      (level, message) => seen.push([level, message]),
      'info',
    );
    log.debug('page 1 of 3');
    log.info('loading studies');
    log.warn('2 studies vanished during the crawl');
    log.error('failed');
    expect(seen).toEqual([
      ['info', 'loading studies'],
      ['warn', '2 studies vanished during the crawl'],
      ['error', 'failed'],
    ]);
  });
});
