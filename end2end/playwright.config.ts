import { defineConfig } from '@playwright/test';
import path from 'node:path';

// The suite runs against the release build, started exactly as production starts it:
// target/release/server from the project root, reading Leptos.toml, with a fresh database.
const root = path.resolve(__dirname, '..');
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
// The site's database: a fresh SQLite file by default; `make test` runs the suite again with a
// fresh PostgreSQL database here. Read by the tests that run `server` commands too.
process.env.E2E_DATABASE_URL ??= 'sqlite://target/e2e/site.db';

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      // Debian's chromium (CHROMIUM_PATH, set by scripts/env.sh); Playwright's own otherwise.
      executablePath: process.env.CHROMIUM_PATH || undefined,
      // This network is closed: keep Chromium from phoning home at start.
      args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  // Two nodes of one site on one database: A (baseURL), which every test uses, and B on the
  // next port, where one test posts while a reader waits on A. Started in this order, A first.
  webServer: [0, 1].map((node) => ({
    command: node === 0
      ? 'rm -rf target/e2e && mkdir -p target/e2e && exec target/release/server'
      : 'exec target/release/server',
    cwd: root,
    url: `http://127.0.0.1:${port + node}/`,
    env: {
      DATABASE_URL: process.env.E2E_DATABASE_URL!,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port + node}`,
      // Required with more than one node; here each node is reached at its own address.
      SITE_URL: `http://127.0.0.1:${port + node}`,
      RUST_LOG: 'info,sqlx=warn',
      COMMENT_FLOOD_SECONDS: '0',
      // Every test signs up from 127.0.0.1; the limit itself is tested over HTTP.
      NEWSLETTER_SIGNUPS_PER_HOUR: '0',
      // No SMTP_URL: mails are written here as .eml files, where the newsletter tests read them.
      MAIL_DIR: 'target/e2e/outbox',
      MEDIA_DIR: 'target/e2e/media',
    },
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore' as const,
    stderr: 'pipe' as const,
  })),
});
