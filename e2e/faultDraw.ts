// The fault proxy's dice: a draw in [0, 1) that depends only on a seed, a
// request path and how many times that path was asked for before. Requests
// of a crawl run in parallel and arrive in a different order each run, so
// a plain seeded sequence would fault different requests every time; keyed
// by path and attempt, the same requests fail the same way in every run
// and a retry of a faulted request draws again.

/** FNV-1a over the UTF-16 code units, then a murmur3 finalizer. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function faultDraw(seed: number, path: string, attempt: number): number {
  return hash32(`${seed}\n${path}\n${attempt}`) / 2 ** 32;
}
