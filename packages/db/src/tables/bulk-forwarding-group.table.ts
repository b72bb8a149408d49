import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export type BulkForwardingState = 'stopped' | 'starting' | 'started' | 'stopping';

/** SPEC §3.3: a named group of up to 1,000 numbers of one site. */
export interface BulkForwardingGroupTable {
  id: Generated<number>;
  site_id: number;
  name: string;
  state: Generated<BulkForwardingState>;
  created_at: string;
  updated_at: string;
}

export type BulkForwardingGroup = Selectable<BulkForwardingGroupTable>;
export type NewBulkForwardingGroup = Insertable<BulkForwardingGroupTable>;
export type BulkForwardingGroupUpdate = Updateable<BulkForwardingGroupTable>;
