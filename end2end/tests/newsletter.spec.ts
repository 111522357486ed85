import { test, expect, hydrated } from './fixtures';
import type { Browser, Page } from '@playwright/test';
import { mailedLink, unique } from './mail';

function articleForm(page: Page) {
  return page.locator('#subscribe-article');
}

test('with JavaScript: refused address keeps its value, then subscribe, confirm and unsubscribe', async ({ page, problems }) => {
  await page.goto('/article/city-open-data-portal');
  await hydrated(page);
  await page.evaluate(() => ((window as any).__sameDocument = true));
  const form = articleForm(page);

  // The browser checks with the server's rules first and sends nothing.
  await form.getByLabel('Email address').fill('reader@example');
  await form.getByRole('button', { name: 'Subscribe' }).click();
  await expect(form.locator('.subscribe-problem')).toHaveText('Please enter a valid email address, like name@example.com.');
  await expect(form.getByLabel('Email address')).toHaveValue('reader@example');
  await expect(form.getByLabel('Email address')).toBeFocused();

  const email = unique('js');
  await form.getByLabel('Email address').fill(email);
  await form.getByRole('button', { name: 'Subscribe' }).click();
  await expect(form.locator('.subscribe-thanks')).toHaveText('Thanks! Check your inbox to confirm your subscription.');
  await expect(form.locator('.subscribe-problem')).toBeEmpty();
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);

  const confirm = await mailedLink(email, 'Confirm your subscription', '/newsletter/confirm');
  await page.goto(confirm);
  await hydrated(page);
  // Opening the link confirms nothing (mail scanners open links): the reader presses the button.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Confirm your subscription');
  await page.evaluate(() => ((window as any).__sameDocument = true));
  await page.getByRole('button', { name: 'Confirm my subscription' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("You're subscribed!");
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);

  const unsubscribe = await mailedLink(email, 'Welcome', '/newsletter/unsubscribe');
  await page.goto(unsubscribe);
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Unsubscribe from the newsletter?');
  await expect(page.locator('.newsletter-message')).toContainText(email);
  await page.getByRole('button', { name: 'Unsubscribe' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("You're unsubscribed");
});

test('with JavaScript the server refuses what the browser let through, with the message', async ({ page, problems }) => {
  problems.allowStatus(/\/api\/newsletter\/subscribe$/, 422);
  await page.goto('/');
  await hydrated(page);
  const form = page.locator('#subscribe-footer');
  // Bypass the browser-side check to see the server's own answer.
  await form.locator('input[name=email]').evaluate((input: HTMLInputElement) => (input.value = 'x'.repeat(300) + '@example.org'));
  await form.locator('form').evaluate((f: HTMLFormElement) => f.requestSubmit());
  await expect(form.locator('.subscribe-problem')).toHaveText('That email address is too long (254 characters at most).');
});

async function noScript(browser: Browser) {
  const context = await browser.newContext({ javaScriptEnabled: false });
  return { context, page: await context.newPage() };
}

test('without JavaScript: refused address keeps its value, then subscribe, confirm and unsubscribe', async ({ browser }) => {
  const { context, page } = await noScript(browser);
  await page.goto('/category/news');
  const form = page.locator('#subscribe-footer');
  await form.getByLabel('Email address').fill('two@@example.org');
  await form.getByRole('button', { name: 'Subscribe' }).click();
  await expect(page).toHaveURL(/\/category\/news\?.*newsletter=invalid.*#subscribe-footer$/);
  await expect(form.locator('.subscribe-problem')).toHaveText('Please enter a valid email address, like name@example.com.');
  await expect(form.getByLabel('Email address')).toHaveValue('two@@example.org');

  const email = unique('nojs');
  await form.getByLabel('Email address').fill(email);
  await form.getByRole('button', { name: 'Subscribe' }).click();
  await expect(form.locator('.subscribe-thanks')).toHaveText('Thanks! Check your inbox to confirm your subscription.');
  await expect(page).toHaveURL(/\/category\/news\?newsletter=sent/);

  await page.goto(await mailedLink(email, 'Confirm your subscription', '/newsletter/confirm'));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Confirm your subscription');
  await page.getByRole('button', { name: 'Confirm my subscription' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("You're subscribed!");
  await expect(page).toHaveURL(/\/newsletter\/confirm\?token=[0-9a-f]{64}$/);
  await page.goto(await mailedLink(email, 'Welcome', '/newsletter/unsubscribe'));
  await page.getByRole('button', { name: 'Unsubscribe' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("You're unsubscribed");
  await context.close();
});

test('one-click unsubscribe (RFC 8058) answers the mail provider, and the page then says so', async ({ page, request, problems }) => {
  await page.goto('/');
  await hydrated(page);
  const email = unique('oneclick');
  const form = page.locator('#subscribe-footer');
  await form.getByLabel('Email address').fill(email);
  await form.getByRole('button', { name: 'Subscribe' }).click();
  await expect(form.locator('.subscribe-thanks')).toBeVisible();
  // Confirm as the confirmation page's button does (a second page.goto right away would cut
  // the first page's own requests short).
  const token = new URL(await mailedLink(email, 'Confirm your subscription', '/newsletter/confirm')).searchParams.get('token')!;
  const confirmed = await request.post('/api/newsletter/confirm', { form: { token }, headers: { Accept: 'application/json' } });
  expect(confirmed.status()).toBe(200);
  const unsubscribe = await mailedLink(email, 'Welcome', '/newsletter/unsubscribe');

  const response = await request.post(unsubscribe, { form: { 'List-Unsubscribe': 'One-Click' } });
  expect(response.status()).toBe(200);
  await page.goto(unsubscribe);
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("You're unsubscribed");
});

test('a forged confirmation link gets a friendly page, not an error', async ({ page, problems }) => {
  problems.allowStatus(/\/newsletter\/confirm\?token=/, 400);
  await page.goto('/newsletter/confirm?token=not-a-real-token');
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("This link doesn't work");
  await expect(page.locator('#subscribe-article')).toBeVisible();
});
