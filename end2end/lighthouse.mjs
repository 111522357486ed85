// Lighthouse (mobile defaults) on the front page and an article with comments, against the
// release server started here exactly as production starts it. Fails below the thresholds.
//   node lighthouse.mjs            (from end2end/, after `cargo leptos build --release`)
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const port = Number(process.env.LIGHTHOUSE_PORT ?? 3199);
const base = `http://127.0.0.1:${port}`;
const pages = ['/', '/article/harbour-bridge-reopens'];
const minimum = { performance: 95, accessibility: 100, 'best-practices': 100, seo: 100 };

async function startServer() {
  const dir = path.join(root, 'target/lighthouse');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const server = spawn(path.join(root, 'target/release/server'), [], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: `sqlite://${dir}/site.db`, MAIL_DIR: `${dir}/outbox`, LEPTOS_SITE_ADDR: `127.0.0.1:${port}`, RUST_LOG: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${base}/`)).ok) return server;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  server.kill();
  throw new Error('the server did not start');
}

const server = await startServer();
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROMIUM_PATH || process.env.CHROME_PATH || undefined,
  chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const failures = [];
try {
  for (const page of pages) {
    const result = await lighthouse(`${base}${page}`, { port: chrome.port, output: 'json', logLevel: 'error' });
    const { categories, audits } = result.lhr;
    const scores = Object.fromEntries(Object.entries(categories).map(([id, c]) => [id, Math.round(c.score * 100)]));
    const cls = audits['cumulative-layout-shift'].numericValue;
    console.log(`${page}: ${JSON.stringify(scores)} CLS ${cls} LCP ${Math.round(audits['largest-contentful-paint'].numericValue)} ms TBT ${Math.round(audits['total-blocking-time'].numericValue)} ms`);
    for (const [id, min] of Object.entries(minimum)) {
      if (scores[id] < min) {
        const failing = Object.values(audits)
          .filter((a) => a.score !== null && a.score < 1 && categories[id].auditRefs.some((r) => r.id === a.id && r.weight > 0))
          .map((a) => `${a.id} (${a.displayValue ?? a.score})`);
        failures.push(`${page}: ${id} ${scores[id]} < ${min}; failing audits: ${failing.join(', ')}`);
      }
    }
    if (cls !== 0) failures.push(`${page}: CLS ${cls}, expected 0`);
  }
} finally {
  await chrome.kill();
  server.kill();
}
if (failures.length) {
  console.error(failures.join('\n'));
  process.exit(1);
}
console.log('Lighthouse: all thresholds met');
