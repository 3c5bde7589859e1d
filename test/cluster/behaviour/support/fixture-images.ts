// Behaviour-suite support: the image map entry that runs test/cluster/fixtures/env-printer.ts as a container.
import { resolve } from 'node:path';
import type { ImageMap } from '../../node/image-map.ts';

export const FIXTURE_IMAGE = 'tapr.local/env-printer:1';

export const fixtureImages: ImageMap = {
  'tapr.local/env-printer': { command: [process.execPath, resolve(import.meta.dirname, '..', '..', 'fixtures', 'env-printer.ts')] },
};
