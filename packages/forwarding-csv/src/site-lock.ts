// SPEC §4 conflicts, as the manual's table (他のアカウントに転送設定実施中の場合の制約条件) has
// them: on one site, CSV upload, CSV download and bulk start/stop refuse each other (＊2); a
// forwarding edit is refused on a number a CSV upload or bulk start/stop is changing (＊1).
// A refusal never waits: the administrator is told at once who holds the site.
import type { StateStore } from '@ipvoice/state';
import {
  ForwardingCsvConflictError,
  type SiteOperation,
  type SiteOperationHolder,
} from './errors.ts';

/** The state-store lock every site-level forwarding operation takes (try, never wait). */
export const siteOperationLock = (siteId: number): string => `forwarding:site:${siteId}`;

/** Long enough for a large upload; a crashed holder frees the site after it. */
export const defaultSiteLockTtlMs = 10 * 60_000;

export type SiteLockState = Pick<StateStore, 'tryLock' | 'lockOwner'>;

export interface SiteOperationClaim {
  operation: SiteOperation;
  actor: string;
  at: Date;
  /** Per site, the numbers the operation changes (see SiteOperationHolder.numberIds). */
  numberIdsBySite?: ReadonlyMap<number, number[]>;
  ttlMs?: number;
}

/** Who holds the site's lock, or undefined when it is free (or held without a holder note). */
export async function siteOperationHolder(
  state: Pick<StateStore, 'lockOwner'>,
  siteId: number,
): Promise<SiteOperationHolder | undefined> {
  const owner = await state.lockOwner(siteOperationLock(siteId));
  if (owner === undefined) return undefined;
  try {
    return JSON.parse(owner) as SiteOperationHolder;
  } catch {
    return undefined;
  }
}

/**
 * Takes every listed site's lock or none: throws ForwardingCsvConflictError naming the holder
 * of the first site that is busy. Sites are taken in id order so two multi-site operations
 * cannot each hold what the other needs. The result releases them all.
 */
export async function claimSites(
  state: SiteLockState,
  siteIds: Iterable<number>,
  claim: SiteOperationClaim,
): Promise<() => Promise<void>> {
  const releases: Array<() => Promise<void>> = [];
  const releaseAll = async () => {
    for (const release of releases.reverse()) await release();
  };
  for (const siteId of [...new Set(siteIds)].sort((a, b) => a - b)) {
    const holder: SiteOperationHolder = {
      operation: claim.operation,
      actor: claim.actor,
      startedAt: claim.at.toISOString(),
      ...(claim.numberIdsBySite === undefined
        ? {}
        : { numberIds: claim.numberIdsBySite.get(siteId) ?? [] }),
    };
    const release = await state.tryLock(
      siteOperationLock(siteId),
      claim.ttlMs ?? defaultSiteLockTtlMs,
      JSON.stringify(holder),
    );
    if (release === undefined) {
      const busy = await siteOperationHolder(state, siteId);
      await releaseAll();
      throw new ForwardingCsvConflictError('site', siteId, busy);
    }
    releases.push(release);
  }
  return releaseAll;
}

/**
 * For the API's forwarding edit (and anything else that writes one number's forwarding):
 * throws ForwardingCsvConflictError while a CSV upload or bulk start/stop on the number's site
 * is changing that number. A download, or an upload of other numbers, does not refuse it.
 */
export async function assertForwardingEditAllowed(
  state: Pick<StateStore, 'lockOwner'>,
  target: { siteId: number; numberId: number },
): Promise<void> {
  const holder = await siteOperationHolder(state, target.siteId);
  if (holder?.numberIds?.includes(target.numberId) === true) {
    throw new ForwardingCsvConflictError('number', target.siteId, holder);
  }
}
