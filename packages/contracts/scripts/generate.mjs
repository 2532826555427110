#!/usr/bin/env node
// Writes the generated contract artefacts (JSON Schemas and the AsyncAPI document) from the
// compiled TypeBox sources. CI regenerates them in a test and fails on a diff.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { renderArtefacts } from '../dist/artefacts.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const [rel, text] of Object.entries(renderArtefacts(stringify))) {
  const file = join(root, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.log(`wrote ${rel}`);
}
