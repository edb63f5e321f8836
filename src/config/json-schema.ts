import { z } from 'zod';
import { configSchema } from './schema';

/**
 * The JSON Schema of the config file, generated from the schema the validator uses, so editors
 * (yaml-language-server) complete and check the same keys. `npm run schema` writes it to
 * config.schema.json; a test keeps that file in step.
 */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: 'input', target: 'draft-7' }),
    title: 'redis-health-sidecar configuration',
    // What the loader checks across keys: targets here, or target files to list them.
    anyOf: [
      { required: ['targets'], properties: { targets: { minItems: 1 } } },
      { required: ['targetFiles'] },
    ],
  };
}
