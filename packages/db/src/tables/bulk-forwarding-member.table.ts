import type { Insertable, Selectable } from 'kysely';

export interface BulkForwardingMemberTable {
  group_id: number;
  number_id: number;
}

export type BulkForwardingMember = Selectable<BulkForwardingMemberTable>;
export type NewBulkForwardingMember = Insertable<BulkForwardingMemberTable>;
