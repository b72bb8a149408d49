// SPEC §3.12: "send test mail" for an incoming-call notice address — an operator runs it from
// the CLI (the API will offer it to administrators); the mail goes out through the queue like
// any other, so it proves the whole path.
import { findNumber, findNumberSetting, type Database, type Kysely } from '@ipvoice/db';
import { normalizeNumber } from '@ipvoice/features';
import { addressTestMail, queueMail } from '@ipvoice/notifier';
import { ProvisioningError } from './apply-provisioning.ts';

/**
 * Queues a test mail to `address`, or to every address of the number's incoming-call notice
 * when none is given; returns the addresses queued.
 */
export async function queueTestMail(
  db: Kysely<Database>,
  input: { number: string; address?: string; language: 'ja' | 'en'; now?: Date },
): Promise<string[]> {
  const number = normalizeNumber(input.number);
  const facts = number ? await findNumber(db, number) : undefined;
  if (!number || !facts) throw new ProvisioningError([`${input.number} is not a number of ours`]);
  const settings = await findNumberSetting(db, facts.id, 'incoming_call_notice');
  const listed = (settings?.addresses ?? []).map((a) => a.address);
  if (listed.length === 0)
    throw new ProvisioningError([`${number} has no incoming-call notice addresses`]);
  if (input.address !== undefined && !listed.includes(input.address))
    throw new ProvisioningError([
      `${input.address} is not an incoming-call notice address of ${number} (${listed.join(', ')})`,
    ]);
  const to = input.address !== undefined ? [input.address] : listed;
  const now = input.now ?? new Date();
  for (const address of to)
    await queueMail(db, addressTestMail([address], { language: input.language, number }), now);
  return to;
}
