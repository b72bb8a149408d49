import type { Config } from '@ipvoice/config';
import type { Database, Kysely } from '@ipvoice/db';
import type { Clock, StateStore } from '@ipvoice/state';
import type { Logger } from 'pino';

/** What the API is built from; everything with I/O or time is passed in. */
export interface ApiDeps {
  db: Kysely<Database>;
  state: StateStore;
  config: {
    api: Config['api'];
    http: Config['http'];
    mail: Pick<Config['mail'], 'language'>;
    voicemail: Pick<Config['voicemail'], 'storeDir' | 'centreNumber'>;
    /** Where background jobs keep their result files (`<dataDir>/jobs`, `<dataDir>/exports`). */
    dataDir: string;
  };
  clock: Pick<Clock, 'now'>;
  logger: Logger;
}
