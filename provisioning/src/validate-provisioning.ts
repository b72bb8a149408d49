import { type ProvisioningDocument, formatPath, provisioningDocument } from './schema.ts';

export type ValidationResult =
  { ok: true; document: ProvisioningDocument } | { ok: false; errors: string[] };

/** Checks a parsed YAML/JSON value; each error names its path: `voiceGroups[0].sites[1].code: 7 digits`. */
export function validateProvisioning(input: unknown): ValidationResult {
  const result = provisioningDocument.safeParse(input);
  if (result.success) return { ok: true, document: result.data };
  return {
    ok: false,
    errors: result.error.issues.map(
      (issue) => `${formatPath(issue.path) || '(document)'}: ${issue.message}`,
    ),
  };
}
