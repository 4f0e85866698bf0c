// Stops the app servers and Orthancs the global setup started; each
// Orthanc's temporary folder goes with it.
import { stopKey } from './globalSetup.ts';

export default async function globalTeardown(): Promise<void> {
  const registry = globalThis as Record<symbol, unknown>;
  const stop = registry[stopKey];
  registry[stopKey] = undefined;
  if (typeof stop === 'function') await (stop as () => Promise<void>)();
}
