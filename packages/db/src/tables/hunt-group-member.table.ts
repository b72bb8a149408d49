import type { Insertable, Selectable, Updateable } from 'kysely';

/** SPEC §3.5: ordered members; `number_id` is unique, a number joins one group at most. */
export interface HuntGroupMemberTable {
  hunt_group_id: number;
  number_id: number;
  position: number;
}

export type HuntGroupMember = Selectable<HuntGroupMemberTable>;
export type NewHuntGroupMember = Insertable<HuntGroupMemberTable>;
export type HuntGroupMemberUpdate = Updateable<HuntGroupMemberTable>;
