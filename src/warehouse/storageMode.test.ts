import { describe, expect, it } from 'vitest';

import { planStorage } from './storageMode';

const full = { secureContext: true, opfs: true, locks: true };

describe('planStorage', () => {
  it('keeps the warehouse in OPFS when the browser has all it needs', () => {
    expect(planStorage(full)).toEqual({ kind: 'opfs' });
  });

  it('runs in memory on a page that is not secure, and says so', () => {
    const plan = planStorage({ ...full, secureContext: false });
    expect(plan.kind).toBe('memory');
    expect(plan.kind === 'memory' && plan.reason).toMatch(/HTTPS/);
  });

  it('runs in memory without a private file system', () => {
    const plan = planStorage({ ...full, opfs: false });
    expect(plan.kind === 'memory' && plan.reason).toMatch(
      /no private file system/,
    );
  });

  it('runs in memory without Web Locks: no tab could tell another', () => {
    const plan = planStorage({ ...full, locks: false });
    expect(plan.kind === 'memory' && plan.reason).toMatch(/another tab/);
  });

  it('names the first missing piece when several are missing', () => {
    const plan = planStorage({
      secureContext: false,
      opfs: false,
      locks: false,
    });
    expect(plan.kind === 'memory' && plan.reason).toMatch(/HTTPS/);
  });
});
