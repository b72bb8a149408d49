import {
  findNumber,
  type Database,
  type Kysely,
  type Transaction,
  type ForwardingSetting,
  type NumberSettingsDocuments,
  type UpsertOutcome,
  findNumberRow,
  findNumberSetting,
  replaceForwardingSchedule,
  replaceSubscriptions,
  upsertAccessLine,
  upsertBulkForwardingGroup,
  upsertForwardingSetting,
  upsertHuntGroup,
  upsertNumber,
  upsertNumberSetting,
  upsertSipCredential,
  upsertSite,
  upsertVoiceGroup,
} from '@ipvoice/db';
import { queueMail, settingsConfirmationMail, voicemailSummary } from '@ipvoice/notifier';
import type { z } from 'zod';
import type { baseNumber, dialInNumber, forwarding, ProvisioningDocument } from './schema.ts';
import { formatPath } from './schema.ts';
import { validateProvisioning } from './validate-provisioning.ts';

export const reportKinds = [
  'voiceGroups',
  'sites',
  'accessLines',
  'numbers',
  'sipCredentials',
  'subscriptions',
  'forwarding',
  'schedules',
  'numberSettings',
  'huntGroups',
  'bulkForwardingGroups',
] as const;

export type ReportKind = (typeof reportKinds)[number];
export type ProvisioningReport = Record<
  ReportKind,
  { created: number; updated: number; unchanged: number }
>;

export interface ApplyOptions {
  /** Do everything, report it, then roll back. */
  dryRun?: boolean;
  /** Time written to created_at / updated_at; defaults to the current time. */
  now?: Date;
  /** Language of the confirmation mails a voicemail change queues (SPEC §3.11); 'ja'. */
  mailLanguage?: 'ja' | 'en';
}

/** Validation or database errors, each naming the YAML path it comes from. */
export class ProvisioningError extends Error {
  override readonly name = 'ProvisioningError';
  constructor(readonly errors: string[]) {
    super(errors.join('\n'));
  }
}

class DryRunRollback extends Error {}

type Path = Array<string | number>;
type Trx = Transaction<Database>;

function emptyReport(): ProvisioningReport {
  return Object.fromEntries(
    reportKinds.map((k) => [k, { created: 0, updated: 0, unchanged: 0 }]),
  ) as ProvisioningReport;
}

const slotTargets = ['slot1', 'slot2', 'slot3', 'slot4', 'slot5'] as const;

function toSetting(f: z.output<typeof forwarding>): ForwardingSetting {
  const conditions = f.when === 'unconditional' ? [] : f.when;
  const slot = (i: number) => f.slots[i] ?? null;
  return {
    enabled: f.enabled,
    unconditional: f.when === 'unconditional',
    onBusy: conditions.includes('busy'),
    onNoAnswer: conditions.includes('noAnswer'),
    onUnreachable: conditions.includes('unreachable'),
    ringTimeSeconds: f.ringTime,
    activeTarget:
      f.target === null
        ? null
        : f.target === 'voicemail'
          ? 'voicemail'
          : (slotTargets[f.target - 1] ?? null),
    slots: [slot(0), slot(1), slot(2), slot(3), slot(4)],
  };
}

/**
 * Applies a provisioning document in one transaction, upserting by natural codes and
 * numbers. Objects the file does not mention are left alone; for objects it names, their
 * subscriptions, schedule, and group members are made exactly what the file says.
 */
export async function applyProvisioning(
  db: Kysely<Database>,
  input: unknown,
  options: ApplyOptions = {},
): Promise<ProvisioningReport> {
  const validated = validateProvisioning(input);
  if (!validated.ok) throw new ProvisioningError(validated.errors);
  const doc = validated.document;
  const now = options.now ?? new Date();
  const language = options.mailLanguage ?? 'ja';
  try {
    return await db.transaction().execute(async (trx) => {
      const report = await applyDocument(trx, doc, now, language);
      if (options.dryRun === true) throw new DryRunRollback('dry run', { cause: report });
      return report;
    });
  } catch (error) {
    if (error instanceof DryRunRollback) return error.cause as ProvisioningReport;
    throw error;
  }
}

async function applyDocument(
  trx: Trx,
  doc: ProvisioningDocument,
  now: Date,
  language: 'ja' | 'en',
): Promise<ProvisioningReport> {
  const report = emptyReport();
  const count = (kind: ReportKind, outcome: UpsertOutcome) => {
    report[kind][outcome] += 1;
  };
  /** Runs one write, turning a database refusal into an error naming the YAML path. */
  const at = async <T>(path: Path, write: () => Promise<T>): Promise<T> => {
    try {
      return await write();
    } catch (error) {
      if (error instanceof ProvisioningError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new ProvisioningError([`${formatPath(path)}: ${message}`]);
    }
  };
  const numberId = async (number: string, path: Path): Promise<number> => {
    const row = await findNumberRow(trx, number);
    if (row === undefined)
      throw new ProvisioningError([`${formatPath(path)}: unknown number ${number}`]);
    return row.id;
  };

  for (const [gi, group] of doc.voiceGroups.entries()) {
    const gp: Path = ['voiceGroups', gi];
    const g = await at(gp, () =>
      upsertVoiceGroup(trx, { code: group.code, name: group.name, time_zone: group.timeZone }, now),
    );
    count('voiceGroups', g.outcome);
    for (const [si, site] of group.sites.entries()) {
      const sp: Path = [...gp, 'sites', si];
      const s = await at(sp, () =>
        upsertSite(trx, { code: site.code, name: site.name, voice_group_id: g.row.id }, now),
      );
      count('sites', s.outcome);
      for (const [li, line] of site.accessLines.entries()) {
        const lp: Path = [...sp, 'accessLines', li];
        const l = await at(lp, () =>
          upsertAccessLine(
            trx,
            { code: line.code, site_id: s.row.id, channels: line.channels },
            now,
          ),
        );
        count('accessLines', l.outcome);
        const subs = await at([...lp, 'subscriptions'], () =>
          replaceSubscriptions(
            trx,
            { accessLineId: l.row.id },
            line.subscriptions.map((feature) => ({ feature })),
            now,
          ),
        );
        countReplace(report, subs);
        for (const [ni, number] of line.numbers.entries()) {
          const np: Path = [...lp, 'numbers', ni];
          const n = await at(np, () =>
            upsertNumber(
              trx,
              { number: number.number, kind: 'base', access_line_id: l.row.id },
              now,
            ),
          );
          count('numbers', n.outcome);
          if (number.sip !== undefined) {
            const sip = number.sip;
            const c = await at([...np, 'sip'], () =>
              upsertSipCredential(trx, { number_id: n.row.id, ...sip }, now),
            );
            count('sipCredentials', c.outcome);
          }
          await applyNumberSettings(trx, n.row.id, number, np, now, count, at, report, language);
          for (const [di, dialIn] of number.dialIns.entries()) {
            const dp: Path = [...np, 'dialIns', di];
            const d = await at(dp, () =>
              upsertNumber(
                trx,
                {
                  number: dialIn.number,
                  kind: 'dial_in',
                  access_line_id: l.row.id,
                  base_number_id: n.row.id,
                },
                now,
              ),
            );
            count('numbers', d.outcome);
            await applyNumberSettings(trx, d.row.id, dialIn, dp, now, count, at, report, language);
          }
        }
      }
      for (const [hi, hunt] of site.huntGroups.entries()) {
        const hp: Path = [...sp, 'huntGroups', hi];
        const pilot = await numberId(hunt.pilot, [...hp, 'pilot']);
        const members: number[] = [];
        for (const [mi, m] of hunt.members.entries())
          members.push(await numberId(m, [...hp, 'members', mi]));
        const outcome = await at(hp, () =>
          upsertHuntGroup(
            trx,
            {
              pilotNumberId: pilot,
              mode: hunt.mode,
              callerId: hunt.callerId,
              noAnswerSeconds: hunt.noAnswerTime ?? null,
              memberNumberIds: members,
            },
            now,
          ),
        );
        count('huntGroups', outcome);
      }
      for (const [bi, bulk] of site.bulkForwardingGroups.entries()) {
        const bp: Path = [...sp, 'bulkForwardingGroups', bi];
        const members: number[] = [];
        for (const [mi, m] of bulk.members.entries())
          members.push(await numberId(m, [...bp, 'members', mi]));
        const outcome = await at(bp, () =>
          upsertBulkForwardingGroup(
            trx,
            { siteId: s.row.id, name: bulk.name, memberNumberIds: members },
            now,
          ),
        );
        count('bulkForwardingGroups', outcome);
      }
    }
  }
  return report;
}

function countReplace(
  report: ProvisioningReport,
  result: { outcomes: UpsertOutcome[]; removed: number },
) {
  for (const outcome of result.outcomes) report.subscriptions[outcome] += 1;
  // A removed subscription is reported as a change.
  report.subscriptions.updated += result.removed;
}

type NumberEntry = z.output<typeof baseNumber> | z.output<typeof dialInNumber>;

async function applyNumberSettings(
  trx: Trx,
  id: number,
  entry: NumberEntry,
  path: Path,
  now: Date,
  count: (kind: ReportKind, outcome: UpsertOutcome) => void,
  at: <T>(path: Path, write: () => Promise<T>) => Promise<T>,
  report: ProvisioningReport,
  language: 'ja' | 'en',
): Promise<void> {
  const subs = await at([...path, 'subscriptions'], () =>
    replaceSubscriptions(
      trx,
      { numberId: id },
      entry.subscriptions.map((s) =>
        typeof s === 'string' ? { feature: s } : { feature: s.feature, operatorNumber: s.number },
      ),
      now,
    ),
  );
  countReplace(report, subs);
  if (entry.forwarding !== undefined) {
    const f = entry.forwarding;
    count(
      'forwarding',
      await at([...path, 'forwarding'], () => upsertForwardingSetting(trx, id, toSetting(f), now)),
    );
  }
  if (entry.schedule !== undefined) {
    const s = entry.schedule;
    const outcome = await at([...path, 'schedule'], () =>
      replaceForwardingSchedule(
        trx,
        id,
        {
          patterns: s.patterns.map((p) => ({ name: p.name, setting: toSetting(p) })),
          entries: s.entries.map((e) => ({ days: e.days, startTime: e.start, pattern: e.pattern })),
        },
        now,
      ),
    );
    count('schedules', outcome);
  }
  const documents: Partial<NumberSettingsDocuments> = {};
  if (entry.specialNumberForwarding !== undefined) {
    const s = entry.specialNumberForwarding;
    const conditions = s.when === 'unconditional' ? [] : s.when;
    documents.special_number_forwarding = {
      enabled: s.enabled,
      unconditional: s.when === 'unconditional',
      onBusy: conditions.includes('busy'),
      onNoAnswer: conditions.includes('noAnswer'),
      onUnreachable: conditions.includes('unreachable'),
      ringTimeSeconds: s.ringTime,
    };
  }
  if (entry.callerId !== undefined) documents.caller_id = entry.callerId;
  if (entry.specificNumberPresentation !== undefined)
    documents.specific_number_presentation = entry.specificNumberPresentation;
  if (entry.anonymousRejection !== undefined)
    documents.anonymous_rejection = entry.anonymousRejection;
  if (entry.internationalBarring !== undefined)
    documents.international_barring = entry.internationalBarring;
  if ('outgoingRestriction' in entry && entry.outgoingRestriction !== undefined) {
    documents.outgoing_restriction = entry.outgoingRestriction;
  }
  if (entry.voicemail !== undefined) documents.voicemail = entry.voicemail;
  if (entry.incomingCallNotice !== undefined) {
    const n = entry.incomingCallNotice;
    documents.incoming_call_notice = {
      enabled: n.enabled,
      addresses: n.addresses,
      callers: n.callers === 'all' ? 'all' : 'listed',
      callerList: n.callers === 'all' ? [] : n.callers.list,
      calls: n.calls,
    };
  }
  if (entry.nuisanceBlocking !== undefined) {
    // SPEC §3.8: each entry keeps the time it was first registered.
    const previous = await findNumberSetting(trx, id, 'nuisance_blocking');
    const since = new Map((previous?.entries ?? []).map((e) => [e.number, e.registeredAt]));
    documents.nuisance_blocking = {
      entries: entry.nuisanceBlocking.numbers.map((number) => ({
        number,
        registeredAt: since.get(number) ?? now.toISOString(),
      })),
    };
  }
  for (const [feature, settings] of Object.entries(documents) as Array<
    [keyof NumberSettingsDocuments, NumberSettingsDocuments[keyof NumberSettingsDocuments]]
  >) {
    const key = settingKey[feature];
    const outcome = await at([...path, key], () =>
      upsertNumberSetting(trx, id, feature, settings, now),
    );
    count('numberSettings', outcome);
    if (feature === 'voicemail' && outcome !== 'unchanged')
      await confirmVoicemail(trx, entry.number, documents.voicemail, now, language);
  }
}

/** SPEC §3.11: a settings change sends a confirmation e-mail to the box's addresses; queued
 * in the same transaction, so a dry run or a failed apply sends nothing. */
async function confirmVoicemail(
  trx: Trx,
  number: string,
  settings: NumberSettingsDocuments['voicemail'] | undefined,
  now: Date,
  language: 'ja' | 'en',
): Promise<void> {
  const addresses = settings?.notification.addresses ?? [];
  const facts = await findNumber(trx, number);
  if (!settings || addresses.length === 0 || !facts) return;
  await queueMail(
    trx,
    settingsConfirmationMail(addresses, {
      language,
      timeZone: facts.timeZone,
      at: now,
      number,
      summary: voicemailSummary(settings, language),
    }),
    now,
  );
}

/** YAML key of each stored document, for error paths. */
const settingKey: Record<keyof NumberSettingsDocuments, string> = {
  special_number_forwarding: 'specialNumberForwarding',
  caller_id: 'callerId',
  specific_number_presentation: 'specificNumberPresentation',
  anonymous_rejection: 'anonymousRejection',
  nuisance_blocking: 'nuisanceBlocking',
  international_barring: 'internationalBarring',
  outgoing_restriction: 'outgoingRestriction',
  voicemail: 'voicemail',
  incoming_call_notice: 'incomingCallNotice',
};
