import { test, expect, hydrated } from './fixtures';

const article = '/article/harbour-bridge-reopens';
const title = 'Harbour Bridge Reopens After Two-Year Rebuild';

test.describe('share post', () => {
  test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

  test('every share link carries the absolute article address and title', async ({ page, baseURL, problems }) => {
    await page.goto(article);
    const url = encodeURIComponent(`${baseURL}${article}`);
    const encodedTitle = encodeURIComponent(title);
    const share = page.getByRole('region', { name: 'Share post' });
    const expected: [string, string][] = [
      ['Share on X', `https://x.com/intent/post?url=${url}&text=${encodedTitle}`],
      ['Share on Facebook', `https://www.facebook.com/sharer/sharer.php?u=${url}`],
      ['Share on LinkedIn', `https://www.linkedin.com/sharing/share-offsite/?url=${url}`],
      ['Share on Reddit', `https://www.reddit.com/submit?url=${url}&title=${encodedTitle}`],
      ['Share on WhatsApp', `https://wa.me/?text=${encodedTitle}%20${url}`],
      ['Share on Telegram', `https://t.me/share/url?url=${url}&text=${encodedTitle}`],
      ['Share by e-mail', `mailto:?subject=${encodedTitle}&body=${url}`],
    ];
    for (const [name, href] of expected) {
      await expect(share.getByRole('link', { name })).toHaveAttribute('href', href);
    }
    await hydrated(page);
  });

  test('Copy link copies the address and says so', async ({ page, baseURL, problems }) => {
    await page.goto(article);
    await hydrated(page);
    const status = page.locator('.share-status');
    await expect(status).toHaveAttribute('aria-live', 'polite');
    await page.getByRole('button', { name: 'Copy link' }).click();
    await expect(status).toHaveText('Link copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${baseURL}${article}`);
  });

  test('without JavaScript the links are there and the Copy link button is not', async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(article);
    await expect(page.getByRole('link', { name: 'Share on Telegram' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Copy link' })).toBeHidden();
    await context.close();
  });
});

test('an article offers Related, More like this and Popular, never itself', async ({ page, problems }) => {
  await page.goto(article);
  await hydrated(page);
  for (const heading of ['Related', 'More like this', 'Popular']) {
    const list = page.getByRole('region', { name: heading, exact: true });
    const items = list.locator('.teaser');
    expect(await items.count(), heading).toBeGreaterThanOrEqual(4);
    await expect(list.locator(`a[href="${article}"]`)).toHaveCount(0);
  }
  // Following a Related story moves the page along in place.
  const next = page.getByRole('region', { name: 'Related', exact: true }).locator('.teaser-headline a').first();
  const nextTitle = (await next.textContent())!;
  await next.click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(nextTitle);
});

test('search from the masthead with JavaScript, in place', async ({ page, problems }) => {
  await page.goto('/');
  await hydrated(page);
  await page.evaluate(() => ((window as any).__sameDocument = true));
  const box = page.getByRole('search').getByRole('searchbox', { name: 'Search stories' });
  await box.fill('harbour bridge');
  await box.press('Enter');
  await expect(page).toHaveURL(/\/search\?q=harbour(\+|%20)bridge$/);
  await expect(page.getByRole('status')).toHaveText(/stories? match “harbour bridge”/);
  await expect(page.locator('.search-result mark').first()).toBeVisible();
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
  await page.locator('.search-result .headline a').first().click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(/bridge/i);
});

test('search without JavaScript, with hostile input shown as text', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/');
  const box = page.locator('header').getByRole('searchbox', { name: 'Search stories' });
  await box.fill('estuary');
  await box.press('Enter');
  await expect(page).toHaveURL(/\/search\?q=estuary$/);
  expect(await page.locator('.search-result').count()).toBeGreaterThanOrEqual(2);

  const hostile = '</title><script>alert(1)</script> NEAR( "x* OR';
  const response = await page.goto(`/search?q=${encodeURIComponent(hostile)}`);
  expect(response?.status()).toBe(200);
  await expect(page.locator('.search-status')).toContainText(hostile.trim());
  await expect(page.locator('main #search-page-q')).toHaveValue(hostile.trim());
  await context.close();
});

test('tag and author pages, from an article', async ({ page, problems }) => {
  await page.goto(article);
  await hydrated(page);
  await page.getByRole('list', { name: 'Tags' }).getByRole('link', { name: 'harbour' }).click();
  await expect(page).toHaveURL(/\/tag\/harbour$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Stories tagged harbour');
  expect(await page.locator('main .story-card').count()).toBeGreaterThanOrEqual(4);
  await expect(page.locator(`main .story-card a[href="${article}"]`)).toBeVisible();

  await page.goto(article);
  await hydrated(page);
  await page.locator('.article-header .byline').click();
  await expect(page).toHaveURL(/\/author\/mara-okonkwo$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mara Okonkwo');
  await expect(page.locator('.author-bio')).toContainText('City editor');
  await expect(page.locator(`main .story-card a[href="${article}"]`)).toBeVisible();
});

test('without JavaScript tag and author pages are plain pages', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const response = await page.goto('/author/hana-sato');
  expect(response?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Hana Sato');
  await page.locator('main .story-card .headline a').first().click();
  await page.getByRole('list', { name: 'Tags' }).getByRole('link').first().click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/^Stories tagged /);
  await context.close();
});
