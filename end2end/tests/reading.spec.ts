import { test, expect, hydrated } from './fixtures';

test('the front page lists the latest articles and every section', async ({ page, problems }) => {
  await page.goto('/');
  await hydrated(page);
  await expect(page.getByRole('link', { name: 'The Northfield Courier' })).toBeVisible();
  const stories = page.locator('main .story-card');
  expect(await stories.count()).toBeGreaterThanOrEqual(12);
  for (const section of ['City', 'Culture', 'Science', 'Sport', 'Technology']) {
    await expect(page.getByRole('heading', { level: 2, name: section })).toBeVisible();
  }
});

test('an article shows its headline, byline and a real date', async ({ page, problems }) => {
  await page.goto('/article/harbour-bridge-reopens');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Harbour Bridge Reopens After Two-Year Rebuild');
  const date = page.locator('.article-header time');
  await expect(date).toHaveAttribute('datetime', '2026-11-20T08:30:00Z');
  await expect(date).toHaveText('20 November 2026');
  await expect(page.locator('.article-header .byline')).toHaveText('Mara Okonkwo');
  await expect(page).toHaveTitle(/Harbour Bridge Reopens/);
  await hydrated(page);
});

test('the page hydrates: the wasm loads and links navigate without a page load', async ({ page, problems }) => {
  await page.goto('/');
  const wasm = page.waitForResponse((r) => r.url().endsWith('.wasm'));
  await hydrated(page);
  expect((await wasm).status()).toBe(200);

  // A full page load would wipe this marker; client-side navigation keeps it.
  await page.evaluate(() => ((window as any).__sameDocument = true));
  const headline = page.locator('.story-card.lead .headline a');
  const title = (await headline.textContent())!;
  // The app fetches the next page itself (the browser's own load would be a `document` request).
  const fetched = page.waitForRequest((r) => /\/article\//.test(r.url()) && r.resourceType() === 'fetch');
  await headline.click();
  await fetched;
  await expect(page).toHaveURL(/\/article\/[a-z0-9-]+$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);

  // And on into a section, still the same document.
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Sport' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sport');
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
});

test('from article to article in place: the new story’s comments, its live stream only, and back', async ({ page, problems }) => {
  const first = '/article/harbour-bridge-reopens';
  const opened: string[] = [];
  const closed: string[] = [];
  page.on('request', (r) => opened.push(r.url()));
  page.on('requestfailed', (r) => closed.push(r.url()));
  await page.goto(first);
  await hydrated(page);
  const firstTitle = (await page.getByRole('heading', { level: 1 }).textContent())!;
  await expect.poll(() => opened.some((url) => url.includes('/api/comments/live/harbour-bridge-reopens'))).toBe(true);
  await page.evaluate(() => ((window as any).__sameDocument = true));

  const next = page.getByRole('region', { name: 'Related', exact: true }).locator('.teaser-headline a').first();
  const href = (await next.getAttribute('href'))!;
  const nextTitle = (await next.textContent())!;
  await next.scrollIntoViewIfNeeded();
  const scrolled = await page.evaluate(() => scrollY);
  expect(scrolled).toBeGreaterThan(0);
  await next.click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(nextTitle);
  expect(await page.evaluate(() => scrollY), 'a new page starts at its top').toBe(0);
  await expect(page).toHaveTitle(new RegExp(nextTitle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  // The comments shown are the new story's, as its own page shows them.
  const served = await (await page.request.get(href)).text();
  const ids = [...served.matchAll(/<li[^>]* id="(comment-\d+)"/g)].map((m) => m[1]);
  await expect(page.locator('li.comment')).toHaveCount(ids.length);
  if (ids.length) await expect(page.locator('li.comment').first()).toHaveId(ids[0]);
  // The story left behind stops streaming; the new one streams its own live comments.
  await expect.poll(() => closed.some((url) => url.includes('/api/comments/live/harbour-bridge-reopens'))).toBe(true);
  const slug = href.split('/').pop()!;
  await expect.poll(() => opened.some((url) => url.includes(`/api/comments/live/${slug}`))).toBe(true);
  const text = `Arrived live on the story reached in place ${Date.now()}`;
  const posted = await page.request.post('/api/comments/post', {
    headers: { Accept: 'application/json' },
    form: { article: slug, comment: text, author: 'Nell Navigator', email: 'nell@example.org', url: '', parent_id: '' },
  });
  expect(posted.status()).toBe(200);
  await expect(page.locator('.comment', { hasText: text })).toBeVisible();

  // Back returns to the first story, still the same document.
  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`${first}$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(firstTitle);
  await expect.poll(() => page.evaluate(() => scrollY), 'back where the reader was').toBe(scrolled);
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
});

test('without JavaScript the article is fully readable', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const response = await page.goto('/article/tram-timetable-app');
  expect(response?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  expect(await page.locator('.article-body p').count()).toBeGreaterThanOrEqual(4);
  await expect(page.locator('.comments h2')).toHaveText(/\d+ comments?/);
  expect(await page.locator('.comment').count()).toBeGreaterThan(0);
  await expect(page.locator('html')).not.toHaveAttribute('data-hydrated', 'true');
  // Links are plain links: following one loads the next page from the server.
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Culture' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Culture');
  await context.close();
});

test('an unknown address gets a friendly 404 page', async ({ page, problems }) => {
  problems.allowStatus(/\/no-such-story$/, 404);
  const response = await page.goto('/article/no-such-story');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("We couldn't find that page");
  await hydrated(page);
  await page.getByRole('link', { name: 'Back to the front page' }).click();
  await expect(page.locator('main .story-card').first()).toBeVisible();
});

test('a reader who only reads gets no app: 46 KB at most and no script or wasm, until intent', async ({ page, problems }) => {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  let bytes = 0;
  const fetched: string[] = [];
  cdp.on('Network.requestWillBeSent', (e) => fetched.push(new URL(e.request.url).pathname));
  cdp.on('Network.loadingFinished', (e) => (bytes += e.encodedDataLength));
  await page.goto('/article/harbour-bridge-reopens');
  await page.waitForTimeout(6000);
  expect(fetched.filter((path) => /\.(js|wasm)$/.test(path))).toEqual([]);
  console.log(`an article until intent: ${bytes} bytes transferred`);
  // What WordPress sends for the same article, as transferred.
  expect(bytes).toBeLessThanOrEqual(46_000);
  await expect(page.locator('html')).not.toHaveAttribute('data-hydrated', 'true');

  // A pointer resting on a link is intent: the app starts.
  await hydrated(page);
  expect(fetched.some((path) => path.endsWith('.wasm'))).toBe(true);
});

test('a click before the app has started is an ordinary link: no app download, a full page load', async ({ page, problems }) => {
  const fetched: string[] = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  await page.goto('/');
  await page.evaluate(() => ((window as any).__sameDocument = true));
  const headline = page.locator('.story-card.lead .headline a');
  const title = (await headline.textContent())!;
  await headline.click();
  await expect(page).toHaveURL(/\/article\/[a-z0-9-]+$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBeUndefined();
  expect(fetched.filter((path) => /\.(js|wasm)$/.test(path))).toEqual([]);
});

test('focusing the comment field starts the app; what is typed meanwhile is kept and posted in place', async ({ page, problems }) => {
  // The app arrives a second late, so the typing happens while it starts.
  let wasmAsked = false;
  await page.route(/\.wasm$/, async (route) => {
    wasmAsked = true;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await route.continue();
  });
  await page.goto('/article/city-open-data-portal');
  await page.evaluate(() => ((window as any).__sameDocument = true));
  expect(wasmAsked).toBe(false);
  const field = page.getByLabel('Comment *');
  await field.focus();
  const text = `Typed while the app was starting, every letter of it ${Date.now()}`;
  await field.pressSequentially(text, { delay: 40 });
  expect(wasmAsked).toBe(true);
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  await expect(field).toHaveValue(text);
  await page.getByLabel('Name *').fill('Tess Typist');
  await page.getByLabel('Email *').fill('tess@example.org');
  await page.getByRole('button', { name: 'Post Comment' }).click();
  await expect(page.locator('.comment', { hasText: text })).toBeVisible();
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
});
