// Build step: docs/openapi.yaml -> JSON (embedded in the binary, served at /api/v1/openapi.json).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const doc = parse(readFileSync(process.argv[2], 'utf8'));
process.stdout.write(JSON.stringify(doc));
