import type { Database, Kysely } from '@ipvoice/db';
import type { StateStore } from '@ipvoice/state';

/** Pino's shape, as the rest of the code base logs (STYLE.md rule 5). */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** What CSV uploads and locked downloads need from their surroundings, passed in. */
export interface ForwardingCsvDeps {
  db: Kysely<Database>;
  /** Site locks (try, never wait) and the settings-changed broadcast, shared by every API server. */
  state: Pick<StateStore, 'tryLock' | 'lockOwner' | 'publish'>;
  logger: Logger;
  /** How long a site stays locked if its holder dies (default 10 minutes). */
  siteLockTtlMs?: number;
}
