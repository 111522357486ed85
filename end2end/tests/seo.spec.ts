import { test, expect, hydrated } from './fixtures';
import type { Page } from '@playwright/test';

const article = '/article/harbour-bridge-reopens';
const headline = 'Harbour Bridge Reopens After Two-Year Rebuild';

const meta = (page: Page, attribute: 'name' | 'property', key: string) =>
  page.locator(`head meta[${attribute}="${key}"]`);

async function jsonLd(page: Page) {
  const scripts = page.locator('head script[type="application/ld+json"]');
  await expect(scripts).toHaveCount(1);
  return JSON.parse((await scripts.textContent())!);
}

/** Every tag crawlers and social networks read, checked on whatever the page holds now. */
async function expectArticleHead(page: Page, origin: string) {
  const url = `${origin}${article}`;
  await expect(page).toHaveTitle(`${headline} — The Northfield Courier`);
  await expect(page.locator('head link[rel="canonical"]')).toHaveAttribute('href', url);
  await expect(meta(page, 'name', 'description')).toHaveAttribute('content', /^The rebuilt Harbour Bridge carried/);
  await expect(meta(page, 'property', 'og:type')).toHaveAttribute('content', 'article');
  await expect(meta(page, 'property', 'og:title')).toHaveAttribute('content', headline);
  await expect(meta(page, 'property', 'og:url')).toHaveAttribute('content', url);
  await expect(meta(page, 'property', 'og:image')).toHaveAttribute('content', `${origin}/media/harbour-bridge.png`);
  await expect(meta(page, 'property', 'og:site_name')).toHaveAttribute('content', 'The Northfield Courier');
  await expect(meta(page, 'property', 'article:published_time')).toHaveAttribute('content', '2026-11-20T08:30:00Z');
  await expect(meta(page, 'property', 'article:modified_time')).toHaveAttribute('content', '2026-11-20T08:30:00Z');
  await expect(meta(page, 'property', 'article:section')).toHaveAttribute('content', 'City');
  await expect(meta(page, 'property', 'article:tag')).toHaveCount(3);
  await expect(meta(page, 'name', 'twitter:card')).toHaveAttribute('content', 'summary_large_image');
  await expect(page.locator('head link[rel="alternate"][type="application/rss+xml"][href="/feed.xml"]')).toHaveCount(1);
  await expect(page.locator('head link[rel="alternate"][type="application/atom+xml"][href="/atom.xml"]')).toHaveCount(1);
  await expect(page.locator(`head link[rel="alternate"][href="${article}/comments/feed.xml"]`)).toHaveCount(1);
  const ld = await jsonLd(page);
  expect(ld['@type']).toBe('NewsArticle');
  expect(ld.headline).toBe(await page.getByRole('heading', { level: 1 }).textContent());
  expect(ld.datePublished).toBe('2026-11-20T08:30:00Z');
  expect(ld.dateModified).toBe('2026-11-20T08:30:00Z');
  expect(ld.author[0].name).toBe('Mara Okonkwo');
  expect(ld.image[0]).toBe(`${origin}/media/harbour-bridge.png`);
  expect(ld.publisher.name).toBe('The Northfield Courier');
}

test('without JavaScript the article head holds every tag, and images are sized', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const response = await page.goto(article);
  expect(response?.status()).toBe(200);
  await expectArticleHead(page, baseURL!);
  await expect(page.locator('html')).not.toHaveAttribute('data-hydrated', 'true');

  const lead = page.locator('.article-body img').first();
  await expect(lead).toHaveAttribute('width', '960');
  await expect(lead).toHaveAttribute('height', '540');
  await expect(lead).not.toHaveAttribute('loading', 'lazy');
  await expect(lead).toHaveAttribute('alt', /three iron arches/);
  const chart = page.locator('.article-body img').nth(1);
  await expect(chart).toHaveAttribute('loading', 'lazy');
  await expect(chart).toHaveAttribute('height', '400');
  await context.close();
});

test('after hydration the head is the same, and navigating replaces it', async ({ page, baseURL, problems }) => {
  await page.goto('/');
  await hydrated(page);
  await expect(page.locator('head link[rel="canonical"]')).toHaveAttribute('href', `${baseURL}/`);
  await expect(meta(page, 'property', 'og:type')).toHaveAttribute('content', 'website');

  // Client-side navigation (no page load): the front page's tags give way to the article's,
  // with absolute URLs built in the browser from the server's SITE_URL.
  await page.evaluate(() => ((window as any).__sameDocument = true));
  await page.locator(`a[href="${article}"]`).first().click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(headline);
  await expectArticleHead(page, baseURL!);
  await expect(meta(page, 'property', 'og:title')).toHaveCount(1);
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);

  // A hydrated article page (loaded directly) keeps one of each tag.
  await page.goto(article);
  await hydrated(page);
  await expectArticleHead(page, baseURL!);
  await expect(page.locator('head link[rel="canonical"]')).toHaveCount(1);
});

test('the feeds and the sitemap the head points to are served', async ({ page, request, baseURL }) => {
  await page.goto('/category/sport');
  const sectionFeed = await page.locator('head link[rel="alternate"][title^="Sport"]').getAttribute('href');
  for (const [path, type] of [['/feed.xml', 'application/rss+xml'], ['/atom.xml', 'application/atom+xml'],
    [sectionFeed!, 'application/rss+xml'], [`${article}/comments/feed.xml`, 'application/rss+xml']]) {
    const response = await request.get(path);
    expect(response.status(), path).toBe(200);
    expect(response.headers()['content-type'], path).toContain(type);
  }
  const robots = await (await request.get('/robots.txt')).text();
  expect(robots).toContain(`Sitemap: ${baseURL}/sitemap.xml`);
  const sitemap = await (await request.get('/sitemap.xml')).text();
  expect(sitemap).toContain(`<loc>${baseURL}${article}</loc>`);
});
