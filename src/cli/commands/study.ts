/**
 * `spnas study run|status|stop|add-trials|set-parallelism|cancel|validate|resolve|schema`: studies as
 * durable Temporal workflows. `run` is the embedded default (local dev server + in-process workers when
 * no TEMPORAL_ADDRESS is set); the steering subcommands act on whatever server the environment names;
 * `validate` and `resolve` need no server.
 */
import * as fs from 'node:fs';
import type { CliCommand } from '../command';
import { InvalidInputError, SpnasError, TransientError } from '../../errors';
import type { StudyStatus } from '../../study/records';
import { studySpecJsonSchema } from '../../study/spec';
import { studyLayout } from '../../study/names';
import { connectClient, temporalTarget } from '../../temporal/connection';
import { openStudyRuntime, remoteConfigured } from '../../temporal/embedded';
import { startDevServer } from '../../temporal/dev-server';
import { studyActivities } from '../../temporal/activity-progress';
import { addTrials, endedStudy, setParallelism, startOrAttachStudy, stopStudy, studyHandle, studyResult, studyStatus } from '../../temporal/study-client';
import { workerConfigFromEnv } from '../../temporal/worker-config';
import { completedStudy } from '../../usecases/prepare-study';
import { validateStudy } from '../../usecases/validate-study';
import { Client, ServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '../../temporal/client';
import { numberFlag, parseFlags } from '../args';
import { readStudySpecFile, resolveStudySpecFile } from '../study-spec-file';
import { StudyProgress, statusLine } from '../study-progress';
import { endedLine, printFront, printResult, printTableFit } from '../study-print';

const usage = `usage: spnas study <subcommand> ...

  run <spec.json> [--no-workers] [--keep-server] [--json]
        starts the study (or attaches to it when it is running; prints its result when it has
        completed: a completed study is never run again), runs the workers in this process, shows
        live progress, and ends with the front. With no TEMPORAL_ADDRESS set, a local Temporal dev
        server (SQLite, with the Web UI) is started or reused. Ctrl-C stops this process's workers
        cleanly (its compute worker also stops when this process is killed); the study is durable:
        run the same command again to continue.
  validate <spec.json>           checks the spec before anything starts (schema, spaces, data: readable
                                 and enough images, latency table, storage) and prints every problem
  resolve <spec.json> [--out f]  the validated spec with its relative paths made absolute (against the
                                 spec file's folder, as 'run' does): the input file of
                                 'temporal workflow start --input-file'
  status <study>                 trials by state, best so far, the front (--json for the object)
  stop <study>                   graceful: no new trials; running ones finish; the final phase follows
  add-trials <study> <n>         plans n more trials (refused once the trials are over)
  set-parallelism <study> <n>    trials at once
  cancel <study>                 stops everything now (running activities checkpoint and end)
  schema                         the spec's JSON Schema (docs/study-spec.schema.json)

<study> is the spec's name or the workflow id (spnas-study-<name>). Connection settings follow
Temporal's conventions: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*,
TEMPORAL_PROFILE; without them, the local dev server of 'study run' (127.0.0.1:7233).
`;

const stdout = (line: string) => process.stdout.write(line + '\n');

async function run(argv: string[]): Promise<number> {
  const { values: f, positionals } = parseFlags(
    'study run',
    argv,
    { 'no-workers': { type: 'boolean' }, 'keep-server': { type: 'boolean' }, json: { type: 'boolean' } },
    1,
  );
  if (!positionals[0]) throw new InvalidInputError("study run: give the spec file, e.g. 'spnas study run study.json'");
  const spec = readStudySpecFile(positionals[0]);
  const log = (line: string) => process.stderr.write(line + '\n');
  // A completed study is reported from its summary, with no server and no workers (the id-reuse policy).
  const done = await completedStudy(studyLayout.root(spec.storage, spec.name));
  if (done) {
    log(`study ${spec.name} has completed (${done.summary}); it is not run again: give the spec another name for a new study`);
    if (f.json) process.stdout.write(JSON.stringify(done) + '\n');
    else printResult(done, stdout);
    return 0;
  }
  const worker = workerConfigFromEnv(process.env, { role: 'all', metricsPort: 0, healthPort: 0 });
  const rt = await openStudyRuntime({ workers: !f['no-workers'], worker, log });
  const progress = new StudyProgress();
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log("\nstopping this process's workers (running activities checkpoint); the study itself keeps its state: run the same command to continue");
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    // no summary in the store (checked above): a completed run of this name whose outputs were removed runs again
    const { handle, how } = await startOrAttachStudy(rt.client, spec, worker.orchestrationQueue, { rerunCompleted: true });
    const verb = {
      started: 'started',
      attached: 'attached to',
      completed: 'found the completed',
      again: 'started again (its earlier run completed, but its summary is gone from the store)',
    }[how];
    log(`${verb} study ${spec.name} (workflow ${handle.workflowId}); artifacts under ${studyLayout.root(spec.storage, spec.name)}`);
    if (rt.server?.uiUrl) log(`watch it in the Temporal UI: ${rt.server.uiUrl}/namespaces/${rt.target.namespace}/workflows/${handle.workflowId}`);
    const result = studyResult(handle);
    for (;;) {
      const settled = await Promise.race([
        result.then(
          () => true,
          () => true,
        ),
        new Promise<false>((r) => setTimeout(() => r(false), 2000)),
      ]);
      if (settled || interrupted) break;
      const s = await studyStatus(handle).catch(() => undefined);
      if (s) progress.update(s, await studyActivities(rt.client, handle.workflowId, s).catch(() => []));
    }
    progress.done();
    if (interrupted) return 130;
    const summary = await result;
    if (f.json) process.stdout.write(JSON.stringify(summary) + '\n');
    else printResult(summary, stdout);
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (f['keep-server'] && rt.server?.started) {
      await rt.stopWorkers();
      log(`the dev server keeps running at ${rt.server.address} (UI ${rt.server.uiUrl ?? '-'})`);
    } else await rt.close();
  }
}

/** `study validate <spec>`: every problem on its own line (exit 1), else what was checked (exit 0). */
async function validate(argv: string[]): Promise<number> {
  const { values: f, positionals } = parseFlags('study validate', argv, { json: { type: 'boolean' } }, 1);
  if (!positionals[0]) throw new InvalidInputError("study validate: give the spec file, e.g. 'spnas study validate study.json'");
  const check = await validateStudy(resolveStudySpecFile(positionals[0]));
  if (f.json) process.stdout.write(JSON.stringify({ ok: check.problems.length === 0, problems: check.problems, facts: check.facts }) + '\n');
  else {
    for (const fact of check.facts) stdout(`  ${fact}`);
    if (check.problems.length) {
      stdout(`${positionals[0]}: ${check.problems.length} problem${check.problems.length > 1 ? 's' : ''}:`);
      for (const p of check.problems) stdout(`  - ${p.replace(/\n/g, '\n    ')}`);
    } else stdout(`${positionals[0]}: ok (study ${check.spec!.name})`);
  }
  return check.problems.length ? 1 : 0;
}

/** `study resolve <spec>`: the validated spec with absolute paths, for `temporal workflow start --input-file`. */
function resolve(argv: string[]): number {
  const { values: f, positionals } = parseFlags('study resolve', argv, { out: { type: 'string' } }, 1);
  if (!positionals[0]) throw new InvalidInputError("study resolve: give the spec file, e.g. 'spnas study resolve study.json > study.abs.json'");
  const text = JSON.stringify(readStudySpecFile(positionals[0]), null, 2) + '\n';
  if (f.out) fs.writeFileSync(f.out as string, text);
  else process.stdout.write(text);
  return 0;
}

/** A client for the steering subcommands: the configured server, else the local dev server if one answers. */
async function steeringClient(): Promise<{ client: Client; close(): Promise<void> }> {
  if (remoteConfigured()) {
    const t = temporalTarget();
    const client = new Client({ connection: await connectClient(t), namespace: t.namespace });
    return { client, close: () => client.connection.close() };
  }
  const port = Number(process.env.SPNAS_DEV_PORT ?? 7233);
  const server = await startDevServer({ port });
  const client = new Client({ connection: await connectClient(temporalTarget({ address: server.address })) });
  return {
    client,
    async close() {
      await client.connection.close();
      if (server.started) await server.stop();
    },
  };
}

async function steer(sub: string, argv: string[]): Promise<number> {
  const { values: f, positionals } = parseFlags(`study ${sub}`, argv, { json: { type: 'boolean' } }, 2);
  const id = positionals[0];
  if (!id) throw new InvalidInputError(`study ${sub}: give the study's name or workflow id`);
  const n = positionals[1] !== undefined ? numberFlag({ n: positionals[1] }, 'n') : undefined;
  if ((sub === 'add-trials' || sub === 'set-parallelism') && n === undefined)
    throw new InvalidInputError(`study ${sub}: give the number, e.g. 'spnas study ${sub} ${id} 4'`);
  const c = await steeringClient();
  try {
    const h = studyHandle(c.client, id);
    // An ended study has nothing to steer; its status is its result (no worker needed to answer a query).
    const ended = await endedStudy(h);
    if (ended && sub !== 'status')
      throw new InvalidInputError(`study ${sub} ${id}: refused: ${endedLine(id, ended)}; nothing to steer ('spnas study status ${id}' shows how it ended)`);
    if (ended) {
      if (f.json) process.stdout.write(JSON.stringify(ended.result ?? { state: ended.status.toLowerCase(), reason: ended.reason }) + '\n');
      else if (ended.result) printResult(ended.result, stdout);
      else stdout(endedLine(id, ended));
      return 0;
    }
    let s: StudyStatus;
    if (sub === 'cancel') {
      await h.cancel();
      stdout(`cancellation requested for ${h.workflowId}: running trials checkpoint and stop`);
      return 0;
    } else if (sub === 'stop') s = await stopStudy(h);
    else if (sub === 'add-trials') s = await addTrials(h, n!);
    else if (sub === 'set-parallelism') s = await setParallelism(h, n!);
    else s = await studyStatus(h);
    if (f.json) process.stdout.write(JSON.stringify(s) + '\n');
    else {
      stdout(statusLine(s));
      printFront(s, stdout);
      printTableFit(s, stdout);
    }
    return 0;
  } catch (err) {
    throw steeringError(err, sub, id);
  } finally {
    await c.close();
  }
}

/** Temporal client errors as one-line typed errors that say what to do. */
function steeringError(err: unknown, sub: string, id: string): unknown {
  if (err instanceof SpnasError) return err;
  const msg = (e: unknown): string =>
    e instanceof Error ? `${e.message}${(e as { cause?: unknown }).cause ? `: ${msg((e as { cause?: unknown }).cause)}` : ''}` : String(e);
  if (err instanceof WorkflowNotFoundError)
    return new InvalidInputError(`study ${sub}: no study '${id}' on this Temporal server (${err.message}); 'spnas study run <spec.json>' starts one`);
  if (err instanceof WorkflowUpdateFailedError) return new InvalidInputError(`study ${sub} ${id}: refused: ${msg(err.cause)}`);
  if (err instanceof ServiceError && /DEADLINE_EXCEEDED|no poller|timed out/i.test(msg(err))) {
    return new TransientError(
      `study ${sub} ${id}: no worker answered (${msg(err)}); start one with 'spnas worker' (or 'spnas study run <spec.json>') against the same server`,
      { code: 'NO_WORKER' },
    );
  }
  if (err instanceof ServiceError) return new TransientError(`study ${sub} ${id}: ${msg(err)}`, { code: 'TEMPORAL_UNAVAILABLE' });
  return err;
}

export const studyCommand: CliCommand = {
  name: 'study',
  summary: 'run, check and steer NAS-hyperparameter studies (durable Temporal workflows)',
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    switch (sub) {
      case 'run':
        return run(rest);
      case 'validate':
        return validate(rest);
      case 'resolve':
        return resolve(rest);
      case 'status':
      case 'stop':
      case 'add-trials':
      case 'set-parallelism':
      case 'cancel':
        return steer(sub, rest);
      case 'schema': {
        const { values: f } = parseFlags('study schema', rest, { out: { type: 'string' } });
        const text = JSON.stringify(studySpecJsonSchema(), null, 2) + '\n';
        if (f.out) fs.writeFileSync(f.out as string, text);
        else process.stdout.write(text);
        return 0;
      }
      default:
        throw new InvalidInputError(`study: unknown subcommand '${sub ?? ''}'; see 'spnas study --help'`);
    }
  },
};
