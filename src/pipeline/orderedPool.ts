// Runs tasks with at most `concurrency` in flight and hands their results
// back in the order the tasks were given. Tasks start only as results are
// taken, so a consumer that is slow (waiting for the warehouse) also slows
// the requests: the number of pages held in memory stays bounded.

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

export async function* mapOrdered<T, R>(
  items: Iterable<T>,
  concurrency: number,
  run: (item: T) => Promise<R>,
): AsyncGenerator<Settled<R>, void, undefined> {
  const iterator = items[Symbol.iterator]();
  const window: Promise<Settled<R>>[] = [];
  const start = () => {
    const next = iterator.next();
    if (next.done) return false;
    window.push(
      run(next.value).then(
        (value): Settled<R> => ({ ok: true, value }),
        (error: unknown): Settled<R> => ({ ok: false, error }),
      ),
    );
    return true;
  };

  while (window.length < Math.max(1, concurrency) && start());
  while (window.length > 0) {
    const head = window.shift();
    if (!head) break;
    const settled = await head;
    start();
    yield settled;
  }
}
