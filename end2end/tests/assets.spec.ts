import { test, expect } from './fixtures';

// The bundles as production serves them: content-hashed names, cached for a year, sent
// precompressed; pages compressed on the fly.
test('bundles have hashed names, are immutable and come precompressed', async ({ request }) => {
  const page = await request.get('/article/harbour-bridge-reopens', { headers: { 'Accept-Encoding': 'br' } });
  expect(page.headers()['content-encoding']).toBe('br');
  const html = await page.text();
  const css = /href="(\/pkg\/newsroom\.[\w-]+\.css)"/.exec(html)?.[1];
  const js = /(\/pkg\/newsroom\.[\w-]+\.js)/.exec(html)?.[1];
  const wasm = /(\/pkg\/newsroom\.[\w-]+\.wasm)/.exec(html)?.[1];
  expect([css, js, wasm].every(Boolean), `hashed bundle names in the page: ${css} ${js} ${wasm}`).toBe(true);
  for (const url of [css!, js!, wasm!]) {
    for (const encoding of ['br', 'gzip']) {
      const res = await request.get(url, { headers: { 'Accept-Encoding': encoding } });
      expect(res.status(), url).toBe(200);
      expect(res.headers()['content-encoding'], `${url} ${encoding}`).toBe(encoding);
      expect(res.headers()['cache-control'], url).toBe('public, max-age=31536000, immutable');
    }
  }
  // The readers' app (issue budget): at most 200 KB of wasm as sent, brotli-compressed.
  const sent = await request.get(wasm!, { headers: { 'Accept-Encoding': 'br' } });
  expect(Number(sent.headers()['content-length']), 'wasm bytes sent (brotli)').toBeLessThanOrEqual(200_000);
  const favicon = await request.get('/favicon.svg');
  expect(favicon.status()).toBe(200);
  expect(favicon.headers()['cache-control']).toBe('public, max-age=0, must-revalidate');
});
