import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database.ts';

/** What repositories take first: the database or a transaction on it. */
export type Executor = Kysely<Database> | Transaction<Database>;

/** How an upsert went, for provisioning reports. */
export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

export interface Upserted<T> {
  row: T;
  outcome: UpsertOutcome;
}

/** True when every key of `wanted` already has that value in `current`. */
export function sameValues<T extends object>(current: T, wanted: Partial<T>): boolean {
  for (const key of Object.keys(wanted) as Array<keyof T>) {
    if (wanted[key] === undefined) continue;
    if (current[key] !== wanted[key]) return false;
  }
  return true;
}
