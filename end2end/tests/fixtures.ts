import { test as base, expect, Page } from '@playwright/test';

/** Everything the browser reported as going wrong while a test ran. */
export type Problems = { errors: string[]; allowStatus: (url: RegExp, status: number) => void };

/**
 * A page that fails the test on any console error, uncaught exception, failed request or
 * HTTP error response — the signs that hydration broke even though the page looks right.
 */
export const test = base.extend<{ problems: Problems }>({
  problems: async ({ page }, use) => {
    const errors: string[] = [];
    const allowed: { url: RegExp; status: number }[] = [];
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      // Chromium echoes every HTTP error response to the console; expected ones are allowed.
      const echoed = /^Failed to load resource: the server responded with a status of (\d+)/.exec(msg.text());
      if (echoed && allowed.some((a) => a.url.test(msg.location().url) && a.status === Number(echoed[1]))) return;
      errors.push(`console: ${msg.text()}`);
    });
    page.on('pageerror', (err) => errors.push(`exception: ${err.message}`));
    page.on('requestfailed', (req) => {
      // Leaving a page cuts its open event stream (live comments, the desk's queue); not a failure.
      // Nor is leaving before the browser's own favicon request finished.
      const cut = /\/api\/comments\/live\/|\/admin\/comments\/events|\/favicon\.svg$/.test(req.url());
      if (cut && req.failure()?.errorText === 'net::ERR_ABORTED') return;
      errors.push(`failed: ${req.url()} ${req.failure()?.errorText}`);
    });
    page.on('response', (res) => {
      if (res.status() >= 400 && !allowed.some((a) => a.url.test(res.url()) && a.status === res.status())) {
        errors.push(`HTTP ${res.status()}: ${res.url()}`);
      }
    });
    await use({ errors, allowStatus: (url, status) => allowed.push({ url, status }) });
    expect(errors, 'the browser reported problems').toEqual([]);
  },
});

export { expect };

/**
 * Starts the app as a reader would (it starts on intent: here a pointer resting on a link) and
 * waits until the wasm has hydrated the page (the app marks <html data-hydrated>).
 */
export async function hydrated(page: Page) {
  const html = page.locator('html');
  if ((await html.getAttribute('data-hydrated')) !== 'true') {
    await page.getByRole('banner').getByRole('link').first().hover();
  }
  await expect(html).toHaveAttribute('data-hydrated', 'true');
}
