import { test, expect, hydrated } from './fixtures';
import type { Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { mailedLink, unique } from './mail';

// Each test posts as a different "reader" (flood control is keyed on the address, and all
// tests share 127.0.0.1), so the suite's server runs with COMMENT_FLOOD_SECONDS=0.

async function fill(page: Page, comment: string, name: string, email: string) {
  await page.getByLabel('Comment *').fill(comment);
  await page.getByLabel('Name *').fill(name);
  await page.getByLabel('Email *').fill(email);
}

test('with JavaScript a comment appears in place without a reload', async ({ page, problems }) => {
  await page.goto('/article/city-open-data-portal');
  await hydrated(page);
  await page.evaluate(() => ((window as any).__sameDocument = true));
  const text = `Posted with JavaScript at ${Date.now()}`;
  await fill(page, text, 'Jo Script', 'jo@example.org');
  await page.getByRole('button', { name: 'Post Comment' }).click();
  await expect(page.locator('.comment', { hasText: text })).toBeVisible();
  await expect(page.locator('.form-thanks')).toHaveText('Thanks! Your comment has been published.');
  await expect(page.getByLabel('Comment *')).toHaveValue('');
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
});

test('with JavaScript an empty form gets the messages at once and nothing is sent', async ({ page, problems }) => {
  await page.goto('/article/city-open-data-portal');
  await hydrated(page);
  let posted = false;
  page.on('request', (r) => { if (r.method() === 'POST') posted = true; });
  await page.getByRole('button', { name: 'Post Comment' }).click();
  await expect(page.locator('#comment-error')).toHaveText('Please enter your comment!');
  await expect(page.locator('#author-error')).toHaveText('Please enter your name here');
  await expect(page.locator('#email-error')).toHaveText('Please enter your email address.');
  await expect(page.getByLabel('Comment *')).toBeFocused();
  expect(posted).toBe(false);
});

test('with JavaScript a refused comment keeps everything typed', async ({ page, problems }) => {
  problems.allowStatus(/\/api\/comments\/post$/, 409);
  await page.goto('/article/city-open-data-portal');
  await hydrated(page);
  const text = `Only once ${Date.now()}`;
  await fill(page, text, 'Dee Dupe', 'dee@example.org');
  await page.getByRole('button', { name: 'Post Comment' }).click();
  await expect(page.locator('.form-thanks')).toHaveText(/published/);
  await fill(page, text, 'Dee Dupe', 'dee@example.org');
  await page.getByRole('button', { name: 'Post Comment' }).click();
  await expect(page.locator('.form-problem')).toHaveText(/Duplicate comment detected/);
  await expect(page.getByLabel('Comment *')).toHaveValue(text);
  await expect(page.getByLabel('Name *')).toHaveValue('Dee Dupe');
});

test('without JavaScript a comment is posted and shown after the redirect', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/article/salt-marsh-carbon-study');
  const text = `Posted without JavaScript ${Date.now()}`;
  await fill(page, text, 'Nia Noscript', 'nia@example.org');
  await page.getByRole('button', { name: 'Post Comment' }).click();
  await expect(page).toHaveURL(/\/article\/salt-marsh-carbon-study#comment-\d+$/);
  await expect(page.locator('.comment', { hasText: text })).toBeVisible();
  await context.close();
});

test('without JavaScript an error is shown with the values still in the fields', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/article/salt-marsh-carbon-study');
  await fill(page, 'A long and careful thought that must not be lost.', 'Nia Noscript', 'nia-at-example.org');
  await page.getByLabel('Notify me of follow-up comments by email').check();
  await page.getByRole('button', { name: 'Post Comment' }).click();
  await expect(page.locator('#email-error')).toHaveText('Please enter a valid email address, like name@example.com.');
  await expect(page.getByLabel('Comment *')).toHaveValue('A long and careful thought that must not be lost.');
  await expect(page.getByLabel('Name *')).toHaveValue('Nia Noscript');
  await expect(page.getByLabel('Email *')).toHaveValue('nia-at-example.org');
  await expect(page.getByLabel('Notify me of follow-up comments by email')).toBeChecked();
  await context.close();
});

test('"Notify me of follow-up comments by email" asks once by mail, with and without JavaScript', async ({ page, browser, problems }) => {
  for (const js of [true, false]) {
    const context = js ? page.context() : await browser.newContext({ javaScriptEnabled: false });
    const tab = js ? page : await context.newPage();
    await tab.goto('/article/salt-marsh-carbon-study');
    if (js) await hydrated(tab);
    const email = unique(js ? 'follow-js' : 'follow-nojs');
    await fill(tab, `Tell me when someone answers (${js ? 'script' : 'no script'}) ${Date.now()}`, 'Flo Follow', email);
    await tab.getByLabel('Notify me of follow-up comments by email').check();
    await tab.getByRole('button', { name: 'Post Comment' }).click();
    if (js) {
      await expect(tab.locator('.form-thanks')).toHaveText(/published\. We'll mail you when someone replies/);
    } else {
      await expect(tab).toHaveURL(/#comment-\d+$/);
    }

    // The confirmation mail's link opens a page with a button; only the button confirms.
    const link = await mailedLink(email, 'Confirm reply notifications', '/replies/confirm');
    await tab.goto(link);
    await expect(tab.getByRole('heading', { name: 'Mail me replies?' })).toBeVisible();
    if (js) {
      // axe runs as a script in the page, so only where scripts may run.
      const axe = await new AxeBuilder({ page: tab }).analyze();
      expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    }
    await tab.getByRole('button', { name: 'Yes, mail me replies' }).click();
    await expect(tab.getByRole('heading', { name: "You'll hear about replies" })).toBeVisible();
    if (!js) await context.close();
  }
});

test('a reply nests under the comment it answers, with and without JavaScript', async ({ page, browser, problems }) => {
  for (const js of [true, false]) {
    const context = js ? page.context() : await browser.newContext({ javaScriptEnabled: false });
    const p = js ? page : await context.newPage();
    await p.goto('/article/harbour-bridge-reopens');
    if (js) await hydrated(p);
    const parent = p.locator('.comment').first();
    const parentId = await parent.getAttribute('id');
    await parent.getByRole('link', { name: 'Reply' }).first().click();
    await expect(p.getByRole('heading', { name: /^Reply to / })).toBeVisible();
    const text = `A reply (${js ? 'JS' : 'no JS'}) ${Date.now()}`;
    await fill(p, text, js ? 'Rae Js' : 'Rae Plain', js ? 'rae.js@example.org' : 'rae.plain@example.org');
    await p.getByRole('button', { name: 'Post Comment' }).click();
    await expect(p.locator(`#${parentId} .comment`, { hasText: text })).toBeVisible();
    if (!js) await context.close();
  }
});

test('hostile markup in a comment is shown as inert text', async ({ page, problems }) => {
  await page.goto('/article/tram-timetable-app');
  await hydrated(page);
  let dialog = false;
  page.on('dialog', (d) => { dialog = true; d.dismiss(); });
  const hostile = `<script>alert(1)</script><img src=x onerror="alert(2)"> <a href="javascript:alert(3)">x</a> ${Date.now()}`;
  await fill(page, hostile, '<b>Mallory</b>', 'mallory@example.org');
  await page.getByRole('button', { name: 'Post Comment' }).click();
  const posted = page.locator('.comment', { hasText: '<script>alert(1)</script>' });
  await expect(posted).toBeVisible();
  await page.reload();
  await expect(page.locator('.comment', { hasText: '<script>alert(1)</script>' })).toBeVisible();
  await expect(page.locator('.comment-author', { hasText: '<b>Mallory</b>' })).toBeVisible();
  // The comment section's island gets the same text as props, inside an attribute: a quote or
  // an entity in it must neither end the attribute nor turn into markup (the island starts).
  await hydrated(page);
  await expect(page.locator('.comment', { hasText: '<script>alert(1)</script>' })).toBeVisible();
  const quoting = `She wrote &quot;no&quot; and "</leptos-island><i>yes</i>" ${Date.now()}`;
  await fill(page, quoting, 'Q & A', 'quoter@example.org');
  await page.getByRole('button', { name: 'Post Comment' }).click();
  await expect(page.locator('.comment', { hasText: quoting })).toBeVisible();
  await page.reload();
  await hydrated(page);
  await expect(page.locator('.comment', { hasText: quoting })).toBeVisible();
  expect(await page.locator('.comment-body i').count()).toBe(0);
  expect(await page.locator('.comment-body img, .comment-body script, .comment-body a[href^="javascript"]').count()).toBe(0);
  expect(dialog).toBe(false);
});

test('"Save my name, email, and website" fills the form next time', async ({ browser }) => {
  for (const js of [true, false]) {
    const context = await browser.newContext({ javaScriptEnabled: js });
    const page = await context.newPage();
    await page.goto('/article/estuary-jazz-festival-twentieth');
    if (js) await hydrated(page);
    const name = js ? 'Sam Saved' : 'Sam Plain';
    await fill(page, `Remember me ${js} ${Date.now()}`, name, `${js ? 'sam' : 'plain'}@example.org`);
    await page.getByLabel('Website', { exact: true }).fill('https://sam.example');
    await page.getByLabel(/Save my name, email, and website/).check();
    await page.getByRole('button', { name: 'Post Comment' }).click();
    await expect(page.locator('.comment', { hasText: name }).first()).toBeVisible();
    // The next article is the page every reader shares; the app brings the saved details
    // (without JavaScript the server puts them in: the browser never ran the app).
    const next = await page.goto('/article/central-library-reopens');
    if (js) {
      expect(['hit', 'miss']).toContain(next?.headers()['x-cache']);
      await hydrated(page);
    }
    await expect(page.getByLabel('Name *')).toHaveValue(name);
    await expect(page.getByLabel('Email *')).toHaveValue(`${js ? 'sam' : 'plain'}@example.org`);
    await expect(page.getByLabel('Website', { exact: true })).toHaveValue('https://sam.example');
    await expect(page.getByLabel(/Save my name/)).toBeChecked();
    await context.close();
  }
});

test('with JavaScript, Reply and Cancel reply change the form in place and keep what was typed', async ({ page, problems }) => {
  await page.goto('/article/harbour-bridge-reopens');
  await hydrated(page);
  await page.evaluate(() => ((window as any).__sameDocument = true));
  const text = `Half a thought, typed before choosing whom to answer ${Date.now()}`;
  await page.getByLabel('Comment *').fill(text);
  const parent = page.locator('.comment').first();
  const name = (await parent.locator('.comment-author').first().textContent())!.trim();
  await parent.getByRole('link', { name: 'Reply' }).first().click();
  await expect(page.getByRole('heading', { name: `Reply to ${name}` })).toBeVisible();
  await expect(page).toHaveURL(/\?replytocom=\d+#respond$/);
  await expect(page.getByLabel('Comment *')).toHaveValue(text);
  await expect(page.getByLabel('Comment *')).toBeFocused();
  // A link within the page is still the browser's: the form keeps its reply and its text.
  await page.locator('.comment-meta a[href^="#comment-"]').first().click();
  await expect(page).toHaveURL(/\?replytocom=\d+#comment-\d+$/);
  await expect(page.getByRole('heading', { name: `Reply to ${name}` })).toBeVisible();
  await expect(page.getByLabel('Comment *')).toHaveValue(text);
  await page.getByRole('link', { name: 'Cancel reply' }).click();
  await expect(page.getByRole('heading', { name: 'Leave a reply' })).toBeVisible();
  await expect(page.getByLabel('Comment *')).toHaveValue(text);
  await expect(page.getByLabel('Comment *')).toBeFocused();
  // Back returns from the permalink to the form, still this page with what was typed.
  await page.goBack();
  await expect(page.getByLabel('Comment *')).toHaveValue(text);
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
});

test('a comment posted by one reader appears for another without a reload', async ({ browser }) => {
  const readerA = await browser.newContext();
  const readerB = await browser.newContext();
  const a = await readerA.newPage();
  const b = await readerB.newPage();
  // B is listening once its stream has answered (the server subscribes before answering).
  const listening = b.waitForResponse((r) => r.url().includes('/api/comments/live/girls-football-league-launch'));
  for (const p of [a, b]) {
    await p.goto('/article/girls-football-league-launch');
    await hydrated(p);
  }
  expect((await listening).status()).toBe(200);
  await b.evaluate(() => ((window as any).__sameDocument = true));
  const text = `Hello from reader A ${Date.now()}`;
  await fill(a, text, 'Reader A', 'reader.a@example.org');
  await a.getByRole('button', { name: 'Post Comment' }).click();
  await expect(a.locator('.comment', { hasText: text })).toBeVisible();
  await expect(b.locator('.comment', { hasText: text })).toBeVisible();
  await expect(b.locator('.live-note')).toHaveText('1 new comment');
  expect(await b.evaluate(() => (window as any).__sameDocument)).toBe(true);
  await readerA.close();
  await readerB.close();
});

test('a comment posted on another node of the site appears live for a reader on this one', async ({ browser }) => {
  // The suite runs two servers on one database (playwright.config.ts): node A at baseURL, node B
  // on the next port.
  const nodeB = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3100) + 1}`;
  const readerA = await browser.newContext();
  const readerB = await browser.newContext();
  const a = await readerA.newPage();
  const b = await readerB.newPage();
  const listening = a.waitForResponse((r) => r.url().includes('/api/comments/live/estuary-flood-barrier-approved'));
  await a.goto('/article/estuary-flood-barrier-approved');
  await hydrated(a);
  expect((await listening).status()).toBe(200);
  await b.goto(`${nodeB}/article/estuary-flood-barrier-approved`);
  await hydrated(b);
  const text = `Posted on node B ${Date.now()}`;
  await fill(b, text, 'Reader on B', 'reader.b@example.org');
  await b.getByRole('button', { name: 'Post Comment' }).click();
  await expect(b.locator('.comment', { hasText: text })).toBeVisible();
  await expect(a.locator('.comment', { hasText: text })).toBeVisible();
  await expect(a.locator('.live-note')).toHaveText('1 new comment');
  await readerA.close();
  await readerB.close();
});

test('with JavaScript a held comment stays visible to its writer on the page every reader shares', async ({ page, problems }) => {
  await page.goto('/article/seahorses-breeding-in-estuary');
  await hydrated(page);
  // Three links: held for moderation.
  const text = `Held for a moderator ${Date.now()} https://a.example https://b.example https://c.example`;
  await fill(page, text, 'Hal Held', 'hal@example.org');
  await page.getByRole('button', { name: 'Post Comment' }).click();
  await expect(page.locator('.form-thanks')).toHaveText('Thanks! Your comment is awaiting moderation.');
  await expect(page.locator('.comment.pending', { hasText: text })).toBeVisible();

  const again = await page.reload();
  expect(['hit', 'miss']).toContain(again?.headers()['x-cache']);
  await hydrated(page);
  await expect(page.locator('.comment.pending', { hasText: text })).toBeVisible();
  await expect(page.locator('.comment.pending', { hasText: text })).toHaveCount(1);
});
