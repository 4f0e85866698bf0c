// One small levelled logger for the whole data path. It writes nowhere by
// itself: a sink decides, so that the crawl worker can forward entries to
// the page as protocol `log` messages and tests can collect them. Messages
// never carry credentials; callers log paths, not URLs with user info.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogSink = (level: LogLevel, message: string) => void;

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** A logger that passes entries at `minLevel` or above to `sink`. */
export function createLogger(
  sink: LogSink,
  minLevel: LogLevel = 'info',
): Logger {
  const emit = (level: LogLevel) => (message: string) => {
    if (RANK[level] >= RANK[minLevel]) sink(level, message);
  };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
  };
}

/** A logger that drops everything, for callers that pass none. */
export const silentLogger: Logger = createLogger(() => undefined, 'error');
