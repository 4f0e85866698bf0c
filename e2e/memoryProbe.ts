// Where a page's memory is, from outside, through the DevTools protocol:
// the JavaScript heap of the page and of each of its workers (the crawl
// worker, DuckDB's worker) and the ArrayBuffers they hold, DuckDB's
// WebAssembly heap among them. Workers are reached through a session of
// their own, attached by target ID.

import type { CDPSession, Page } from '@playwright/test';

export interface HeapSample {
  /** `page`, or the worker's name (`crawl`) or script file. */
  target: string;
  /** Bytes of the JavaScript heap in use. */
  usedBytes: number;
  /** Bytes held outside the heap by ArrayBuffers (wasm memory too). */
  backingBytes: number;
}

interface TargetInfo {
  targetId: string;
  type: string;
  title: string;
  url: string;
}

interface HeapUsage {
  usedSize: number;
  totalSize: number;
  backingStorageSize?: number;
}

export class MemoryProbe {
  private constructor(
    private readonly session: CDPSession,
    private readonly pending: Map<number, (result: HeapUsage) => void>,
  ) {}

  static async attach(page: Page): Promise<MemoryProbe> {
    const session = await page.context().newCDPSession(page);
    const pending = new Map<number, (result: HeapUsage) => void>();
    session.on('Target.receivedMessageFromTarget', (event) => {
      const message = JSON.parse(event.message) as {
        id?: number;
        result?: HeapUsage;
      };
      if (message.id === undefined) return;
      pending.get(message.id)?.(
        message.result ?? { usedSize: 0, totalSize: 0 },
      );
      pending.delete(message.id);
    });
    return new MemoryProbe(session, pending);
  }

  async sample(): Promise<HeapSample[]> {
    const samples: HeapSample[] = [];
    const own = (await this.session.send('Runtime.getHeapUsage')) as HeapUsage;
    samples.push(heapSample('page', own));

    const { targetInfos } = (await this.session.send('Target.getTargets')) as {
      targetInfos: TargetInfo[];
    };
    let id = 0;
    for (const info of targetInfos) {
      if (!info.type.includes('worker')) continue;
      const { sessionId } = await this.session.send('Target.attachToTarget', {
        targetId: info.targetId,
        flatten: false,
      });
      const usage = await new Promise<HeapUsage>((resolve) => {
        const messageId = ++id;
        this.pending.set(messageId, resolve);
        void this.session.send('Target.sendMessageToTarget', {
          sessionId,
          message: JSON.stringify({
            id: messageId,
            method: 'Runtime.getHeapUsage',
          }),
        });
      });
      await this.session.send('Target.detachFromTarget', { sessionId });
      const name = info.title || info.url.split('/').pop() || info.type;
      samples.push(heapSample(name, usage));
    }
    return samples;
  }
}

function heapSample(target: string, usage: HeapUsage): HeapSample {
  return {
    target,
    usedBytes: usage.usedSize,
    backingBytes: usage.backingStorageSize ?? 0,
  };
}

/** `page 12.3/0.4 MB, crawl 40.1/2.0 MB…`: heap/buffers per target. */
export function formatSamples(samples: HeapSample[]): string {
  const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  return samples
    .map((s) => `${s.target} ${mb(s.usedBytes)}/${mb(s.backingBytes)} MB`)
    .join(', ');
}
