import { test, expect, hydrated } from './fixtures';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import path from 'node:path';

// The staff desk (/admin): server-rendered forms, so it behaves the same with JavaScript on
// and off. Accounts are made as an operator makes them: `server users add`, password on stdin.
const root = path.resolve(__dirname, '../..');
const PASSWORD = 'tidal beacon orchard 58';

function addStaff(role: string): string {
  const email = `${role}.${Date.now()}.${Math.floor(Math.random() * 1e6)}@courier.example`;
  execFileSync('target/release/server', ['users', 'add', '--email', email, '--name', `Desk ${role}`, '--role', role], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: process.env.E2E_DATABASE_URL },
    input: `${PASSWORD}\n`,
  });
  return email;
}

/** The six digits an authenticator app shows for a base32 key (RFC 6238: SHA-1, 30 s). */
function totp(key: string, unixSeconds: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of key.toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
  const mac = createHmac('sha1', bytes).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return ((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).toString().padStart(6, '0');
}

async function signIn(page: Page, email: string, password = PASSWORD) {
  await page.goto('/admin');
  await expect(page).toHaveURL(/\/admin\/sign-in$/);
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('a moderator approves a held comment and a reader who has the story open sees it live', async ({ browser, page, problems }) => {
  const email = addStaff('moderator');
  const article = 'comet-viewing-night-beacon-hill';
  const reader = await (await browser.newContext()).newPage();
  const listening = reader.waitForResponse((r) => r.url().includes(`/api/comments/live/${article}`));
  await reader.goto(`/article/${article}`);
  await hydrated(reader);
  expect((await listening).status()).toBe(200);

  // Three links: held for moderation.
  const text = `Held until a moderator says yes ${Date.now()} https://a.example https://b.example https://c.example`;
  const posted = await page.request.post('/api/comments/post', {
    headers: { Accept: 'application/json' },
    form: { article, comment: text, author: 'Linky', email: 'linky@example.org', url: '', parent_id: '' },
  });
  expect(posted.status()).toBe(200);
  await expect(reader.locator('.comment', { hasText: text })).toHaveCount(0);

  await signIn(page, email);
  await expect(page.locator('.desk-who')).toHaveText('Signed in as Desk moderator (moderator).');
  await page.getByRole('link', { name: 'Comments' }).click();
  const row = page.locator('.queue-row', { hasText: text });
  await expect(row).toBeVisible();
  await row.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByRole('status')).toHaveText('1 comment approved.');
  await expect(page.locator('.queue-row', { hasText: text })).toHaveCount(0);

  await expect(reader.locator('.comment', { hasText: text })).toBeVisible();

  // A reply as staff: published at once, marked, and live for the reader too.
  await page.goto('/admin/comments?status=approved');
  await page.locator('.queue-row', { hasText: text }).getByRole('link', { name: 'Reply as staff' }).click();
  const answer = `Thanks, we have passed this on ${Date.now()}`;
  await page.getByLabel(/Your reply/).fill(answer);
  await page.getByRole('button', { name: 'Publish reply' }).click();
  await expect(page.getByRole('status')).toHaveText('Your reply is published.');
  // The reply is nested in the comment it answers: the innermost match is the reply.
  const reply = reader.locator('.comment', { hasText: answer }).last();
  await expect(reply).toBeVisible();
  await expect(reply.locator('.staff-mark')).toHaveText('Staff');
  // And after a reload the hydrated page shows the same.
  await reader.reload();
  await hydrated(reader);
  await expect(reader.locator('.comment', { hasText: answer }).last().locator('.staff-mark')).toHaveText('Staff');
  await reader.context().close();
});

test('with JavaScript the queue shows new held comments live and acts without page loads', async ({ page, problems }) => {
  const email = addStaff('editor');
  await signIn(page, email);
  await expect(page).toHaveURL(/\/admin$/);
  await page.waitForLoadState('load');
  const stamp = Date.now();
  const listening = page.waitForResponse((r) => r.url().includes('/admin/comments/events'));
  await page.goto(`/admin/comments?q=${stamp}`);
  expect((await listening).status()).toBe(200);
  await expect(page.locator('.queue-row')).toHaveCount(0);
  // A marker that a page load would wipe.
  await page.evaluate(() => ((window as unknown as { stayed: string }).stayed = 'yes'));

  // A reader's comment with three links is held, and shows up in the open queue by itself.
  const text = `Live in the queue ${stamp} https://a.example https://b.example https://c.example`;
  const posted = await page.request.post('/api/comments/post', {
    headers: { Accept: 'application/json' },
    form: { article: 'comet-viewing-night-beacon-hill', comment: text, author: 'Linky', email: 'linky@example.org', url: '', parent_id: '' },
  });
  expect(posted.status()).toBe(200);
  const row = page.locator('.queue-row', { hasText: text });
  await expect(row).toBeVisible();
  await expect(row.locator('.queue-held')).toContainText('links');

  await row.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByRole('status')).toHaveText('1 comment approved.');
  await expect(page.locator('.queue-row', { hasText: text })).toHaveCount(0);
  await expect(page.getByRole('link', { name: /^Approved \(1\)$/ })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { stayed?: string }).stayed)).toBe('yes');
  expect(problems.errors).toEqual([]);
});

test('two-step sign-in: set up with the QR page, then a code is asked after the password', async ({ browser }) => {
  const email = addStaff('moderator');
  let recovery: string[] = [];
  for (const javaScriptEnabled of [true, false]) {
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    await signIn(page, email);
    await expect(page).toHaveURL(/(\/admin$)|(\/admin\/sign-in\/code$)/);
    if (javaScriptEnabled) {
      await page.getByRole('link', { name: 'Your account' }).click();
      await page.getByRole('link', { name: 'Set up two-step sign-in' }).click();
      await expect(page.getByRole('img', { name: /QR code/ })).toBeVisible();
      const key = (await page.locator('#two-step-key').textContent())!.replace(/\s/g, '');
      const code = totp(key, Date.now() / 1000);
      await page.getByLabel('The six digits from your app').fill(code);
      await page.getByRole('button', { name: 'Turn two-step sign-in on' }).click();
      await expect(page.getByRole('heading', { name: 'Two-step sign-in is on' })).toBeVisible();
      const codes = await page.locator('#recovery-codes code').allTextContents();
      expect(codes).toHaveLength(10);
      recovery = codes;
    } else {
      // Without JavaScript too: the password leads to the code step, and a recovery code signs in.
      await expect(page).toHaveURL(/\/admin\/sign-in\/code$/);
      await page.getByLabel('Code').fill('000000');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByRole('alert')).toContainText('That code is not right.');
      await page.getByLabel('Code').fill(recovery[0]);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page).toHaveURL(/\/admin$/);
      await expect(page.locator('.desk-who')).toHaveText('Signed in as Desk moderator (moderator).');
    }
    await context.close();
  }
});

test('a refused sign-in keeps the typed address, without JavaScript', async ({ browser }) => {
  const email = addStaff('editor');
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, email, 'not the right one at all');
  await expect(page.getByRole('alert')).toHaveText(
    'That e-mail address and password do not match an account that can sign in.',
  );
  await expect(page.getByLabel('E-mail address')).toHaveValue(email);
  await expect(page.getByLabel('Password')).toHaveValue('');
  // Then the right password, and out again.
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/admin\/sign-in$/);
  await page.goto('/admin');
  await expect(page).toHaveURL(/\/admin\/sign-in$/);
  await context.close();
});

test('spam in bulk, without JavaScript', async ({ browser, page }) => {
  const email = addStaff('editor');
  const stamp = Date.now();
  for (const n of [1, 2]) {
    const posted = await page.request.post('/api/comments/post', {
      headers: { Accept: 'application/json' },
      form: { article: 'comet-viewing-night-beacon-hill', comment: `Bulk spam ${stamp} number ${n}`, author: 'Bot', email: `bot${n}@example.org`, url: '', parent_id: '' },
    });
    expect(posted.status()).toBe(200);
  }
  const context = await browser.newContext({ javaScriptEnabled: false });
  const desk = await context.newPage();
  await signIn(desk, email);
  await desk.goto(`/admin/comments?status=approved&q=${stamp}`);
  for (const n of [1, 2]) {
    await desk.locator('.queue-row', { hasText: `number ${n}` }).getByRole('checkbox').check();
  }
  await desk.locator('form .queue-actions').first().getByRole('button', { name: 'Spam' }).click();
  await expect(desk.getByRole('status')).toHaveText('2 comments marked as spam.');
  await desk.goto(`/admin/comments?status=spam&q=${stamp}`);
  await expect(desk.locator('.queue-row')).toHaveCount(2);
  await context.close();
});

test('axe finds no accessibility violations on the desk pages', async ({ page }) => {
  const email = addStaff('admin');
  const check = async () => {
    const results = await new AxeBuilder({ page }).analyze();
    const summary = results.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(summary, page.url()).toEqual([]);
  };
  await page.goto('/admin/sign-in');
  await check();
  await signIn(page, email);
  await expect(page).toHaveURL(/\/admin$/);
  await check();
  for (const path of ['/admin/comments', '/admin/comments?status=approved', '/admin/bans', '/admin/audit', '/admin/staff', '/admin/account', '/admin/account/two-step']) {
    await page.goto(path);
    await check();
  }
});
