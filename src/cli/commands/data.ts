/** `spnas data inspect|pack`: look at a dataset, and turn an ImageFolder into tar shards. */
import { parseArgs } from 'node:util';
import { InvalidInputError } from '../../errors';
import type { CliCommand } from '../command';
import { decodeSample, encodeGridPng, openSampleSource, packImageFolder, type RawImage } from '../../data';
import { openStore, splitParent } from '../../storage';

const USAGE = `usage:
  spnas data inspect <uri> [--grid out.png] [--samples N] [--limit N] [--json]
  spnas data pack <imagefolder> <out-dir> [--shard-size N] [--prefix train] [--seed S | --no-shuffle] [--no-verify] [--json]

<uri> is a dataset location, local or s3://bucket/prefix:
  tar shards   dir/ with *.tar, train-{000000..000004}.tar, a.tar,b.tar
  ImageFolder  dir/<class>/<image>.jpg|png
  IDX          dir/train-images-idx3-ubyte[.gz] (labels file found beside it)

inspect   counts samples per class (reading every sample, decoding none but the first --samples),
          reports image sizes, and with --grid writes a PNG contact sheet of the first --samples (64).
pack      writes <prefix>-000000.tar ... of --shard-size samples (10000) plus classes.txt, shuffled
          with --seed (0) so each shard is class-balanced; every image is decoded first unless --no-verify.
S3 endpoints and credentials come from the AWS environment (AWS_ENDPOINT_URL_S3, AWS_REGION, ...).
`;

function intFlag(name: string, raw: string | undefined, dflt: number): number {
  if (raw === undefined) return dflt;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 0) throw new InvalidInputError(`--${name} ${raw}: must be a non-negative integer`);
  return v;
}

async function inspect(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { grid: { type: 'string' }, samples: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
  });
  if (positionals.length !== 1) throw new InvalidInputError(`data inspect takes one <uri>, got ${positionals.length}\n\n${USAGE}`);
  const uri = positionals[0]!;
  const gridCount = intFlag('samples', values.samples, 64);
  const limit = intFlag('limit', values.limit, Infinity);
  const source = await openSampleSource(uri);
  const counts = new Map<number, number>();
  const sizes = new Map<string, number>();
  const decoded: RawImage[] = [];
  let total = 0;
  for await (const s of source.samples()) {
    if (total >= limit) break;
    total++;
    counts.set(s.label, (counts.get(s.label) ?? 0) + 1);
    if (decoded.length < gridCount) {
      const img = decodeSample(s, source.channels);
      sizes.set(`${img.height}x${img.width}`, (sizes.get(`${img.height}x${img.width}`) ?? 0) + 1);
      decoded.push(decoded.length === 0 ? img : decodeSample(s, source.channels, [decoded[0]!.height, decoded[0]!.width]));
    }
  }
  const numClasses = source.numClasses ?? Math.max(-1, ...counts.keys()) + 1;
  const perClass = Array.from({ length: numClasses }, (_, c) => ({
    label: c,
    ...(source.classNames?.[c] ? { name: source.classNames[c] } : {}),
    count: counts.get(c) ?? 0,
  }));
  let grid: string | undefined;
  if (values.grid && decoded.length > 0) {
    const [parent, name] = splitParent(values.grid);
    const store = openStore(parent);
    await store.put(name, encodeGridPng(decoded));
    grid = `${store.uri}/${name}`;
  }
  const report = {
    uri,
    format: source.format,
    samples: total,
    numClasses,
    channels: source.channels,
    imageSizes: Object.fromEntries(sizes),
    sizesFromFirst: decoded.length,
    perClass,
    ...(grid ? { grid } : {}),
  };
  if (values.json) {
    process.stdout.write(JSON.stringify(report) + '\n');
    return 0;
  }
  const lines = [`${uri}: ${source.format}, ${total} samples, ${numClasses} classes, ${source.channels} channel(s)`];
  lines.push(`image sizes (first ${decoded.length}): ${[...sizes].map(([k, v]) => `${k} x${v}`).join(', ')}`);
  for (const c of perClass) lines.push(`  ${String(c.label).padStart(4)} ${(c.name ?? '').padEnd(16)} ${c.count}`);
  if (grid) lines.push(`grid: ${grid}`);
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

async function pack(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'shard-size': { type: 'string' },
      prefix: { type: 'string' },
      seed: { type: 'string' },
      'no-shuffle': { type: 'boolean' },
      'no-verify': { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  if (positionals.length !== 2) throw new InvalidInputError(`data pack takes <imagefolder> <out-dir>, got ${positionals.length} argument(s)\n\n${USAGE}`);
  const res = await packImageFolder(positionals[0]!, positionals[1]!, {
    shardSize: intFlag('shard-size', values['shard-size'], 10000),
    prefix: values.prefix ?? 'train',
    seed: values['no-shuffle'] ? null : intFlag('seed', values.seed, 0),
    verify: !values['no-verify'],
    onShard: values.json ? undefined : (s) => process.stderr.write(`wrote ${s.uri} (${s.samples} samples)\n`),
  });
  process.stdout.write(
    values.json ? JSON.stringify(res) + '\n' : `packed ${res.samples} samples of ${res.classNames.length} classes into ${res.shards.length} shard(s)\n`,
  );
  return 0;
}

/** The `spnas data` command. */
export const dataCommand: CliCommand = {
  name: 'data',
  summary: 'inspect a dataset (counts, sizes, sample grid) or pack an ImageFolder into tar shards',
  usage: USAGE,
  async run(argv) {
    const [sub, ...rest] = argv;
    try {
      if (sub === 'inspect') return await inspect(rest);
      if (sub === 'pack') return await pack(rest);
    } catch (err) {
      // parseArgs reports unknown flags as TypeErrors with a code: make them input errors.
      if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw new InvalidInputError(`${(err as Error).message}\n\n${USAGE}`);
      throw err;
    }
    process.stderr.write(`spnas data: expected 'inspect' or 'pack'\n\n${USAGE}`);
    return 2;
  },
};
