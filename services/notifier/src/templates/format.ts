// Shared pieces of the mail templates: wall time in the subscriber's zone and the words for a
// caller without a number.
import type { MailAttachment } from '@ipvoice/db';

export type MailLanguage = 'ja' | 'en';

/** SPEC §3.12: why a caller's number is not shown (the call records' words). */
export type CallerAnonymity = 'withheld' | 'payphone' | 'unavailable';

export interface Caller {
  number?: string;
  anonymity?: CallerAnonymity;
}

/** What a template makes: plain text, ready to queue with its recipients. */
export interface MailContent {
  subject: string;
  text: string;
  attachments: MailAttachment[];
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsIn(timeZone: string, at: Date): Record<string, string> {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    // Throws RangeError for an unknown zone: a template bug, not a runtime condition.
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      // h23: midnight is 00, never 24.
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  const parts: Record<string, string> = {};
  for (const p of formatter.formatToParts(at)) parts[p.type] = p.value;
  return parts;
}

/** `YYYY/MM/DD HH:mm:ss` of the wall clock in `timeZone`. */
export function formatLocalTime(at: Date, timeZone: string): string {
  const p = partsIn(timeZone, at);
  return `${p.year}/${p.month}/${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** `YYYYMMDD` of the local date in `timeZone`. */
export function localDateStamp(at: Date, timeZone: string): string {
  const p = partsIn(timeZone, at);
  return `${p.year}${p.month}${p.day}`;
}

const anonymityWords: Record<MailLanguage, Record<CallerAnonymity, string>> = {
  ja: { withheld: '非通知', payphone: '公衆電話', unavailable: '表示圏外' },
  en: { withheld: 'withheld', payphone: 'payphone', unavailable: 'unavailable' },
};

/** The caller's number, or why there is none in words. A caller with neither counts as
 * unavailable: the network gave no number and no reason. */
export function callerText(caller: Caller, language: MailLanguage): string {
  if (caller.anonymity === undefined && caller.number) return caller.number;
  return anonymityWords[language][caller.anonymity ?? 'unavailable'];
}

/** Lines of `label: value`, as the mails list their facts. */
export function fieldLines(fields: ReadonlyArray<readonly [string, string]>): string {
  return fields.map(([label, value]) => `${label}: ${value}`).join('\n');
}

export const footer: Record<MailLanguage, string> = {
  ja: '※このメールは送信専用です。ご返信いただいてもお答えできません。\nIP Voice',
  en: 'This message was sent automatically; replies are not read.\nIP Voice',
};

export const subjectPrefix: Record<MailLanguage, string> = {
  ja: '【IP Voice】',
  en: '[IP Voice] ',
};
