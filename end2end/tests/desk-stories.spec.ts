import { test, expect } from './fixtures';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

// Stories written in the browser: with JavaScript off (plain forms) and on (live preview,
// saving in place, pictures uploaded at once).
const root = path.resolve(__dirname, '../..');
const PASSWORD = 'harbour lantern quill 73';
const picture = path.join(root, 'public/logo.png');

function addEditor(): string {
  const email = `editor.${Date.now()}.${Math.floor(Math.random() * 1e6)}@courier.example`;
  execFileSync('target/release/server', ['users', 'add', '--email', email, '--name', 'Desk Editor', '--role', 'editor'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: process.env.E2E_DATABASE_URL },
    input: `${PASSWORD}\n`,
  });
  return email;
}

async function signIn(page: Page, email: string) {
  await page.goto('/admin/sign-in');
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/admin$/);
}

async function write(page: Page, title: string, text: string) {
  await page.goto('/admin/articles/new');
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Section').fill('City');
  await page.getByLabel('Summary').fill('Written in the desk for the end-to-end test.');
  await page.getByLabel('Text (Markdown)').fill(text);
}

/** `YYYY-MM-DDTHH:MM:SS` in UTC, as the schedule field takes it. */
const utcField = (at: Date) => at.toISOString().slice(0, 19);

test('without JavaScript an editor writes a story with a picture, previews, publishes, schedules and restores', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, addEditor());
  const stamp = Date.now();
  const title = `Slipway Reopens ${stamp}`;
  await write(page, title, 'The old slipway takes boats again from **Monday**.');

  await page.getByLabel('What it shows').fill('The courier logo on the slipway sign');
  await page.getByLabel('Picture: JPEG, PNG, WebP or GIF').setInputFiles(picture);
  await page.getByRole('button', { name: 'Add the picture to the text' }).click();
  await expect(page.getByText('The picture is at the end of the text. Save to keep it.')).toBeVisible();
  await expect(page.getByLabel('Text (Markdown)')).toHaveValue(/from \*\*Monday\*\*\.\n\n!\[The courier logo on the slipway sign\]\(\/uploads\/[0-9a-f]{20}-\d+x\d+\.png\)/);

  await page.getByRole('button', { name: 'Preview', exact: true }).click();
  const preview = page.locator('#preview');
  await expect(preview.locator('strong')).toHaveText('Monday');
  await expect(preview.locator('img')).toHaveAttribute('alt', 'The courier logo on the slipway sign');
  // The whole page as readers will get it, in a tab of its own (a plain form target).
  const [tab] = await Promise.all([context.waitForEvent('page'), page.getByRole('button', { name: 'Preview the page' }).click()]);
  await tab.waitForLoadState();
  await expect(tab.locator('h1.article-title')).toHaveText(title);
  await expect(tab.locator('.article-body img')).toHaveAttribute('srcset', /\/uploads\/.* \d+w/);
  await tab.close();

  await page.getByRole('button', { name: 'Publish now' }).click();
  await expect(page.getByRole('status')).toHaveText('Published: it is on the site now.');
  await page.goto('/');
  await expect(page.getByRole('link', { name: title }).first()).toBeVisible();
  const feed = await page.request.get('/feed.xml');
  expect(await feed.text()).toContain(title);
  await page.getByRole('link', { name: title }).first().click();
  await expect(page.locator('.article-body img')).toHaveAttribute('srcset', /\/uploads\/.* \d+w/);

  // Scheduled three seconds ahead: not on the front page before, on it after.
  const later = `Tide Tables Printed ${stamp}`;
  await write(page, later, 'The new tables are at the library desk.');
  await page.getByLabel('Publish at (UTC)').fill(utcField(new Date(Date.now() + 3000)));
  await page.getByRole('button', { name: 'Schedule' }).click();
  await expect(page.getByRole('status')).toHaveText('Scheduled: it will be published at the time below.');
  await page.goto('/');
  await expect(page.getByRole('link', { name: later })).toHaveCount(0);
  await expect(async () => {
    await page.goto('/');
    await expect(page.getByRole('link', { name: later }).first()).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 10_000 });

  // A change, then the first revision back.
  await page.goto('/admin/articles');
  await page.getByRole('link', { name: title }).click();
  await page.getByLabel('Text (Markdown)').fill('A wrong version of the story.');
  await page.getByRole('button', { name: 'Update the published story' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  await page.getByRole('button', { name: 'Restore revision 1' }).click();
  await expect(page.getByRole('status')).toHaveText('The earlier revision is back (and saved as the newest).');
  await expect(page.getByLabel('Text (Markdown)')).toHaveValue(/from \*\*Monday\*\*/);
  await context.close();
});

test('with JavaScript the preview follows the typing, pictures upload at once and saving keeps the page', async ({ page, problems }) => {
  await signIn(page, addEditor());
  const title = `Lantern Walk Route ${Date.now()}`;
  await write(page, title, '');
  await page.getByLabel('Text (Markdown)').pressSequentially('The walk starts at *dusk*.');
  await expect(page.locator('#preview em')).toHaveText('dusk');

  await page.getByLabel('What it shows').fill('Lanterns along the quay');
  await page.getByLabel('Picture: JPEG, PNG, WebP or GIF').setInputFiles(picture);
  await expect(page.getByLabel('Text (Markdown)')).toHaveValue(/!\[Lanterns along the quay\]\(\/uploads\/[0-9a-f]{20}-\d+x\d+\.png\)/);
  await expect(page.locator('#preview img')).toHaveAttribute('alt', 'Lanterns along the quay');

  // Saved without a page load: what the script set on the window is still there.
  await page.evaluate(() => ((window as unknown as { kept: number }).kept = 1));
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  await expect(page).toHaveURL(/\/admin\/articles\/\d+\?done=saved$/);
  expect(await page.evaluate(() => (window as unknown as { kept?: number }).kept)).toBe(1);

  // Typed but not saved: the browser keeps it and offers it back.
  await page.getByLabel('Text (Markdown)').fill('Unsaved words about the lantern walk.');
  // The preview follows first (leaving while it is on its way would cut that request).
  await expect(page.locator('#preview')).toContainText('Unsaved words about the lantern walk.');
  page.on('dialog', (dialog) => dialog.accept());
  await page.reload();
  await page.getByRole('button', { name: 'Put my unsaved text back' }).click();
  await expect(page.getByLabel('Text (Markdown)')).toHaveValue('Unsaved words about the lantern walk.');
  expect(problems.errors).toEqual([]);
});

test('with JavaScript an editor sees the page preview, publishes, schedules and restores, and leaving unsaved asks first', async ({ page, context, problems }) => {
  await signIn(page, addEditor());
  const stamp = Date.now();
  const title = `Ferry Runs At Noon ${stamp}`;
  await write(page, title, 'The ferry runs at **noon** from the east pier.');
  await page.getByLabel('Tags').fill('ferries, east pier');
  await expect(page.locator('#preview strong')).toHaveText('noon');

  // The page preview: the article as readers will get it, in a tab of its own; nothing saved.
  const [tab] = await Promise.all([context.waitForEvent('page'), page.getByRole('button', { name: 'Preview the page' }).click()]);
  await tab.waitForLoadState();
  await expect(tab.locator('h1.article-title')).toHaveText(title);
  await expect(tab.locator('.article-body strong')).toHaveText('noon');
  await expect(tab.locator('a.kicker')).toHaveText('City');
  await expect(tab.locator('ul.tags a')).toHaveText(['east pier', 'ferries']);
  await expect(tab.getByText('Preview, not public')).toBeVisible();
  const axe = await new AxeBuilder({ page: tab }).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help}`), 'axe on the page preview').toEqual([]);
  await tab.close();
  await expect(page).toHaveURL(/\/admin\/articles\/new$/);

  // Published without a page load, and on the front page and in the feed at once.
  await page.evaluate(() => ((window as unknown as { kept: number }).kept = 1));
  await page.getByRole('button', { name: 'Publish now' }).click();
  await expect(page.getByRole('status')).toHaveText('Published: it is on the site now.');
  expect(await page.evaluate(() => (window as unknown as { kept?: number }).kept)).toBe(1);
  expect(await (await page.request.get('/')).text()).toContain(title);
  expect(await (await page.request.get('/feed.xml')).text()).toContain(title);

  // A change saved in place, then the first revision back.
  await page.getByLabel('Text (Markdown)').fill('A wrong version about the ferry.');
  await expect(page.locator('#preview')).toContainText('A wrong version about the ferry.');
  await page.getByRole('button', { name: 'Update the published story' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  await page.getByRole('button', { name: 'Restore revision 1' }).click();
  await expect(page.getByRole('status')).toHaveText('The earlier revision is back (and saved as the newest).');
  await expect(page.getByLabel('Text (Markdown)')).toHaveValue('The ferry runs at **noon** from the east pier.');

  // Scheduled two seconds ahead, in place: absent before, on the front page after.
  const later = `Pier Lights Switched On ${stamp}`;
  await write(page, later, 'The pier lights come on at dusk.');
  await page.getByLabel('Publish at (UTC)').fill(utcField(new Date(Date.now() + 2000)));
  await page.getByRole('button', { name: 'Schedule' }).click();
  await expect(page.getByRole('status')).toHaveText('Scheduled: it will be published at the time below.');
  expect(await (await page.request.get('/')).text()).not.toContain(later);
  await expect(async () => {
    expect(await (await page.request.get('/')).text()).toContain(later);
  }).toPass({ timeout: 10_000 });

  // Typed and not saved: leaving asks first.
  await page.getByLabel('Text (Markdown)').fill('Words nobody saved.');
  await expect(page.locator('#preview')).toContainText('Words nobody saved.');
  const asked = page.waitForEvent('dialog');
  await page.close({ runBeforeUnload: true });
  const dialog = await asked;
  expect(dialog.type()).toBe('beforeunload');
  await dialog.accept();
  expect(problems.errors).toEqual([]);
});

test('axe finds no accessibility violations on the story desk', async ({ page }) => {
  await signIn(page, addEditor());
  const check = async () => {
    const results = await new AxeBuilder({ page }).analyze();
    const summary = results.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(summary, page.url()).toEqual([]);
  };
  await page.goto('/admin/articles');
  await check();
  await page.goto('/admin/articles?status=published&q=harbour');
  await check();
  await write(page, `Axe Check ${Date.now()}`, 'Checked by axe.');
  await check();
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  await check();
  await page.getByRole('link', { name: 'Delete…' }).click();
  await expect(page).toHaveURL(/\/delete$/);
  await check();
});
