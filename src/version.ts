import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The version in package.json, read once at start-up. */
export const version: string = (
  JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }
).version;
