// Where the production guide's YAML examples live: `../shared/seed/examples` beside the repository
// (the layout of the team's machines and CI), or KURAY_SEED_DIR for a checkout elsewhere.
import { join } from 'node:path';

export const SEED_EXAMPLES =
  process.env.KURAY_SEED_DIR ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'seed', 'examples');

/** The path of one example, e.g. seedFile('01-basic.yaml'). */
export const seedFile = (name: string): string => join(SEED_EXAMPLES, name);
