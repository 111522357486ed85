import { expect } from './fixtures';
import fs from 'node:fs';
import path from 'node:path';

// The suite's server has no SMTP_URL, so it writes every mail as an .eml file into
// target/e2e/outbox (see playwright.config.ts). These tests read the links out of them.
const outbox = path.resolve(__dirname, '../../target/e2e/outbox');

export function unique(name: string) {
  return `${name}.${Date.now()}.${Math.floor(Math.random() * 1e6)}@example.org`;
}

/** Undoes quoted-printable soft line breaks and escapes (enough for our ASCII links). */
function decodeQuotedPrintable(text: string) {
  return text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

/** Waits for the mail to `to` whose subject starts with `subject`, and returns its link to `linkPath`. */
export async function mailedLink(to: string, subject: string, linkPath: string): Promise<string> {
  let found = '';
  await expect
    .poll(() => {
      const files = fs.existsSync(outbox) ? fs.readdirSync(outbox).filter((f) => f.endsWith('.eml')) : [];
      for (const file of files) {
        const raw = fs.readFileSync(path.join(outbox, file), 'utf8');
        if (!raw.includes(`To: ${to}`) || !raw.includes(`Subject: ${subject}`)) continue;
        const match = new RegExp(`https?://[^\\s"<>]+${linkPath}\\?token=[0-9a-f]{64}`).exec(decodeQuotedPrintable(raw));
        if (match) found = match[0];
      }
      return found;
    }, { message: `a "${subject}" mail to ${to}` })
    .not.toBe('');
  return found;
}
