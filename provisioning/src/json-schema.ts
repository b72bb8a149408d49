import { z } from 'zod';
import { provisioningDocument } from './schema.ts';

/** The JSON Schema of a provisioning file as written (before hyphens are stripped). */
export function provisioningJsonSchema(): string {
  const schema = z.toJSONSchema(provisioningDocument, { io: 'input', unrepresentable: 'any' });
  return `${JSON.stringify({ ...schema, title: 'ipvoice provisioning file' }, null, 2)}\n`;
}
