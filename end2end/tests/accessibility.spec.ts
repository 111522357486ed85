import { test, expect, hydrated } from './fixtures';
import AxeBuilder from '@axe-core/playwright';

// axe-core on the pages readers see, after hydration: zero violations of any impact.
const pages = [
  ['front page', '/'],
  ['article with comments', '/article/harbour-bridge-reopens'],
  ['section page', '/category/culture'],
  ['newsletter link page', '/newsletter/confirm?token=forged'],
  ['not found', '/no-such-page'],
];

for (const [name, path] of pages) {
  test(`axe finds no accessibility violations on the ${name}`, async ({ page, problems }) => {
    problems.allowStatus(/\/newsletter\/confirm\?token=forged$/, 400);
    problems.allowStatus(/\/no-such-page$/, 404);
    await page.goto(path);
    await hydrated(page);
    const results = await new AxeBuilder({ page }).analyze();
    const summary = results.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(summary).toEqual([]);
  });
}
