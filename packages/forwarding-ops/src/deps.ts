import type { Database, Kysely } from '@ipvoice/db';
import type { Clock, StateStore } from '@ipvoice/state';

/** Pino's shape, as the rest of the code base logs (STYLE.md rule 5). */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** What bulk operations need from their surroundings, passed in. */
export interface ForwardingOpsDeps {
  db: Kysely<Database>;
  /** Locks per group and per site (SPEC §4 conflicts, `claimSites` of forwarding-csv) and
   * the settings-changed broadcast, shared by every API server. */
  state: Pick<StateStore, 'withLock' | 'tryLock' | 'lockOwner' | 'publish'>;
  clock: Pick<Clock, 'now'>;
  logger: Logger;
}
