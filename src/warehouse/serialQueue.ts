// Runs tasks one after another. A DuckDB connection has one transaction and
// one pending result at a time, so every multi-statement step on it (an
// ingest, a commit, a streamed export) must finish before the next starts.

export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    // The next task waits for this one whether it succeeded or not.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
