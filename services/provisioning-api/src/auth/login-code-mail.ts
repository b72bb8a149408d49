// SPEC §4: the one-time login code sent by e-mail (second factor 'mail').
import type { OutgoingMail } from '@ipvoice/notifier';

export const LOGIN_CODE_TTL_MS = 10 * 60_000;

const words = {
  ja: {
    subject: '[IP Voice] ログイン確認コード',
    body: (code: string, login: string) =>
      `アカウント ${login} のログイン確認コードは ${code} です。\n有効期限は10分です。お心当たりのない場合は管理者にご連絡ください。\n`,
  },
  en: {
    subject: '[IP Voice] Login code',
    body: (code: string, login: string) =>
      `The login code for the account ${login} is ${code}.\nIt is valid for 10 minutes. If you did not try to log in, tell your administrator.\n`,
  },
} as const;

export function loginCodeMail(
  to: string,
  p: { code: string; login: string; language: 'ja' | 'en' },
): OutgoingMail {
  const w = words[p.language];
  return {
    kind: 'login_code',
    to: [to],
    subject: w.subject,
    text: w.body(p.code, p.login),
    attachments: [],
  };
}
