// `npm run -w provisioning schema`: regenerates schema.json from the zod schema.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { provisioningJsonSchema } from './json-schema.ts';

const target = fileURLToPath(new URL('../schema.json', import.meta.url));
writeFileSync(target, provisioningJsonSchema());
console.log(`wrote ${target}`);
