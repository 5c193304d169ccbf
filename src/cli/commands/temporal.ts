/** `spnas temporal setup`: registers spnas's search attributes in the configured namespace (once per namespace). */
import type { CliCommand } from '../command';
import { InvalidInputError } from '../../errors';
import { connectClient, temporalTarget } from '../../temporal/connection';
import { ensureSearchAttributes } from '../../temporal/search-attributes';
import { SEARCH_ATTRIBUTES } from '../../study/names';

const usage = `usage: spnas temporal setup

Registers the search attributes the Temporal UI lists studies and trials by
(${Object.values(SEARCH_ATTRIBUTES)
  .map((a) => `${a.name}:${a.type}`)
  .join(', ')}) in the namespace that
TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE (or a profile) name. Idempotent. The embedded dev server of
'spnas study run' registers them by itself.
`;

export const temporalCommand: CliCommand = {
  name: 'temporal',
  summary: 'Temporal server set-up (search attributes)',
  usage,
  async run(argv) {
    if (argv[0] !== 'setup' || argv.length > 1) throw new InvalidInputError(`temporal: unknown subcommand '${argv.join(' ')}'; see 'spnas temporal --help'`);
    const t = temporalTarget();
    const c = await connectClient(t);
    try {
      const added = await ensureSearchAttributes(c, t.namespace);
      process.stdout.write(
        added.length
          ? `registered ${added.join(', ')} in namespace ${t.namespace}\n`
          : `all spnas search attributes already registered in namespace ${t.namespace}\n`,
      );
      return 0;
    } finally {
      await c.close();
    }
  },
};
