import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { type ValidationResult, validateProvisioning } from './validate-provisioning.ts';

/** Reads and validates a YAML (or JSON) provisioning file. */
export async function loadProvisioningFile(path: string): Promise<ValidationResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return {
      ok: false,
      errors: [`${path}: ${error instanceof Error ? error.message : String(error)}`],
    };
  }
  let value: unknown;
  try {
    value = parse(text, { prettyErrors: true });
  } catch (error) {
    return {
      ok: false,
      errors: [`${path}: ${error instanceof Error ? error.message : String(error)}`],
    };
  }
  return validateProvisioning(value);
}
