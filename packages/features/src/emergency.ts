// SPEC §3.10: the emergency numbers. Calls to them are never barred, forwarded or screened.

/** 110 police, 118 coast guard, 119 fire and ambulance. */
export const EMERGENCY_NUMBERS: ReadonlySet<string> = new Set(['110', '118', '119']);

// RFC 3966 §5.1.1 visual separators, plus the space people type between digit groups.
const VISUAL_SEPARATORS = /[-.() ]/g;

/**
 * True when `dialled` is 110, 118 or 119, written with or without visual separators
 * (`1-1-0`, ` 119 `). Give the number as dialled after any 184/186 caller-ID prefix was
 * taken off (SPEC §3.6): `184110` is not recognised here.
 */
export function isEmergencyNumber(dialled: string): boolean {
  return EMERGENCY_NUMBERS.has(dialled.trim().replace(VISUAL_SEPARATORS, ''));
}
