// Test tenants with forwarding schedules, written in the provisioning format
// (provisioning/README.md) and applied with applyProvisioning.
import {
  listSettingHistory,
  type Database,
  type Kysely,
  type SettingHistoryEntry,
} from '@ipvoice/db';
import { applyProvisioning } from '@ipvoice/provisioning';

type Day = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export interface Entry {
  days: Day[];
  start: string;
  pattern: string;
}

export const weekdays: Day[] = ['mon', 'tue', 'wed', 'thu', 'fri'];

/** Ring the desk, forward to a mobile after 15 s. */
export const officePattern = {
  name: 'office',
  enabled: true,
  when: ['noAnswer'],
  ringTime: 15,
  slots: ['090-1234-5678'],
  target: 1,
};
/** Everything to the 24-hour call centre. */
export const nightPattern = {
  name: 'night',
  enabled: true,
  when: 'unconditional',
  slots: ['03-9999-0000'],
  target: 1,
};
export const lunchPattern = {
  name: 'lunch',
  enabled: true,
  when: ['busy', 'noAnswer'],
  ringTime: 10,
  slots: ['03-9999-0001'],
  target: 1,
};

/** SPEC §3.2's example: office hours ring the desk, 18:00–09:00 and weekends go to the centre. */
export const officeHours: Entry[] = [
  { days: weekdays, start: '09:00', pattern: 'office' },
  { days: weekdays, start: '18:00', pattern: 'night' },
];

export interface TenantOptions {
  timeZone: string;
  /** Numbers given the schedule. */
  numbers: string[];
  entries?: Entry[];
  /** Numbers with a schedule of their own: every day from 00:00 on the lunch pattern. */
  otherNumbers?: string[];
}

export function tenantDocument(options: TenantOptions) {
  const schedule = {
    patterns: [officePattern, nightPattern, lunchPattern],
    entries: options.entries ?? officeHours,
  };
  const always = {
    patterns: [lunchPattern],
    entries: [
      {
        days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as Day[],
        start: '00:00',
        pattern: 'lunch',
      },
    ],
  };
  return {
    version: 1,
    voiceGroups: [
      {
        code: 'VG00001',
        name: 'Schedule test',
        timeZone: options.timeZone,
        sites: [
          {
            code: '1000001',
            name: 'Head office',
            accessLines: [
              {
                code: 'N000000001',
                channels: 4,
                numbers: [
                  ...options.numbers.map((number) => ({ number, schedule })),
                  ...(options.otherNumbers ?? []).map((number) => ({
                    number,
                    schedule: always,
                  })),
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

export async function provision(db: Kysely<Database>, options: TenantOptions): Promise<void> {
  await applyProvisioning(db, tenantDocument(options), { now: new Date('2026-01-01T00:00:00Z') });
}

export async function numberId(db: Kysely<Database>, number: string): Promise<number> {
  const row = await db
    .selectFrom('numbers')
    .select('id')
    .where('number', '=', number)
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The pattern name the schedule state holds for `number`, or undefined. */
export async function statePattern(
  db: Kysely<Database>,
  number: string,
): Promise<string | null | undefined> {
  const row = await db
    .selectFrom('forwarding_schedule_state as s')
    .innerJoin('numbers as n', 'n.id', 's.number_id')
    .leftJoin('forwarding_patterns as p', 'p.id', 's.pattern_id')
    .select(['p.name'])
    .where('n.number', '=', number)
    .executeTakeFirst();
  return row === undefined ? undefined : row.name;
}

/** The scheduler's history rows for `number`, oldest first. */
export async function history(
  db: Kysely<Database>,
  number: string,
): Promise<SettingHistoryEntry[]> {
  const rows = await listSettingHistory(db, {
    numberId: await numberId(db, number),
    limit: 10_000,
  });
  return rows.reverse();
}

export async function historyCount(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('setting_history')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
