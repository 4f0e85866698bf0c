// What a user does on the page, as steps the specs share: connect to a
// target, pick what to load, load it, run SQL in the SQL view and read
// the result.

import { expect, type Page } from '@playwright/test';

import type { E2eTarget } from './env';
import type { OrthancAccess } from './orthancApi';

/** Node's own access to a target's Orthanc, for comparisons. */
export function access(target: E2eTarget): OrthancAccess {
  return {
    url: target.orthancUrl,
    username: target.orthancUser,
    password: target.orthancPassword,
  };
}

/** Opens the page and tests the connection on its proxied URL. */
export async function connect(
  page: Page,
  target: E2eTarget,
  password = target.orthancPassword,
): Promise<void> {
  await page.goto(target.baseUrl);
  await page.getByLabel('Username').fill(target.orthancUser);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Test connection' }).click();
}

/** Picks exactly these resources in the Load panel's picker. */
export async function pickResources(
  page: Page,
  names: readonly string[],
): Promise<void> {
  const picker = page.getByRole('group', { name: 'Resources' });
  await picker.getByRole('button', { name: 'None' }).click();
  for (const name of names) {
    await picker.getByRole('checkbox', { name, exact: true }).check();
  }
}

/** Presses "Load" and waits until the load is committed. */
export async function loadAll(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  await expect(page.getByRole('status', { name: 'Load status' })).toContainText(
    /done/i,
    { timeout: 60_000 },
  );
}

/** Runs SQL in the SQL view and returns the result's cells as text. */
export async function runQuery(page: Page, sql: string): Promise<string[][]> {
  await page.getByRole('tab', { name: 'SQL' }).click();
  await page.getByLabel('SQL query').fill(sql);
  const previous = page.locator('.sql-result');
  const last =
    (await previous.count()) > 0
      ? await previous.getAttribute('data-run')
      : null;
  await page.getByRole('button', { name: 'Run query' }).click();
  // the result of this run, not the one still shown from the last
  await expect(page.locator('.sql-result')).toHaveAttribute('data-run', /\d+/);
  await expect(page.locator('.sql-result')).not.toHaveAttribute(
    'data-run',
    last ?? '',
  );
  const result = page.getByRole('table', { name: 'Query result' });
  await expect(result).toBeVisible();
  const rows = result.locator('tbody tr');
  const cells: string[][] = [];
  for (let index = 0; index < (await rows.count()); index += 1) {
    cells.push(await rows.nth(index).locator('td').allTextContents());
  }
  return cells;
}
