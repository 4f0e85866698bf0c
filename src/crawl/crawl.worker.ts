// The crawl worker: fetching, normalizing and Arrow encoding run here, off
// the page's main thread. All of the logic is in crawlSession.ts.

import { CrawlSession } from './crawlSession';
import type { PageToWorker } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;

const session = new CrawlSession((message, transfer) => {
  scope.postMessage(message, transfer ?? []);
});

scope.onmessage = (event: MessageEvent<PageToWorker>) => {
  session.receive(event.data);
};
