/**
 * Runs the real helm binary on the chart helm/spnas and parses what it renders. helm comes from
 * scripts/setup.sh (.tools/bin/helm); $HELM or a helm on PATH also work.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

// Plain YAML, not client-node's loadAllYaml: that one deserialises into API classes and silently drops
// fields the API does not know, which would hide a misspelt field. js-yaml is client-node's own
// declared dependency, resolved from there.
const yaml = createRequire(require.resolve('@kubernetes/client-node'))('js-yaml') as { loadAll(text: string): unknown[] };

/** Every document of a multi-document YAML text (empty documents dropped). */
export function parseAll(text: string): Obj[] {
  return yaml.loadAll(text).filter((o): o is Obj => o !== null && o !== undefined);
}

export const ROOT = join(__dirname, '..', '..');
export const CHART = join(ROOT, 'helm', 'spnas');
/** The Kubernetes version the chart is rendered for (the tests' control plane runs it). */
export const KUBE_VERSION = '1.36.3';

export function helmBinary(): string {
  const candidates = [process.env.HELM, join(ROOT, '.tools', 'bin', 'helm')];
  for (const c of candidates) if (c && existsSync(c)) return c;
  const which = spawnSync('sh', ['-c', 'command -v helm'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  throw new Error('helm not found: run `bash scripts/setup.sh` (installs .tools/bin/helm) or set HELM=/path/to/helm');
}

export interface HelmResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function helm(args: string[]): HelmResult {
  const r = spawnSync(helmBinary(), args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A rendered Kubernetes object, loosely typed: the tests walk it by path. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

/** `helm template` with the given values files and --set flags; throws with helm's stderr on failure. */
export function render(valuesFiles: string[], sets: string[] = [], namespace = 'spnas'): Obj[] {
  const r = tryRender(valuesFiles, sets, namespace);
  if (r.status !== 0) throw new Error(`helm template failed (${r.status}): ${r.stderr}`);
  return parseAll(r.stdout);
}

export function tryRender(valuesFiles: string[], sets: string[] = [], namespace = 'spnas'): HelmResult {
  const args = ['template', 'rel', CHART, '--namespace', namespace, '--kube-version', KUBE_VERSION];
  for (const f of valuesFiles) args.push('-f', f);
  for (const s of sets) args.push('--set', s);
  return helm(args);
}

export function find(objs: Obj[], kind: string, nameSuffix = ''): Obj | undefined {
  return objs.find((o) => o.kind === kind && String(o.metadata?.name).endsWith(nameSuffix));
}

export function get(objs: Obj[], kind: string, nameSuffix = ''): Obj {
  const o = find(objs, kind, nameSuffix);
  if (!o) throw new Error(`no ${kind} named *${nameSuffix} among: ${objs.map((x) => `${x.kind}/${x.metadata?.name}`).join(', ')}`);
  return o;
}

/** An activity Job class the chart's ConfigMap carries: job.yaml (SPNAS_JOB_TEMPLATE) or gpu-job.yaml (SPNAS_JOB_GPU_TEMPLATE). */
export function jobTemplate(objs: Obj[], key: 'job.yaml' | 'gpu-job.yaml' = 'job.yaml'): Obj {
  const cm = get(objs, 'ConfigMap', '-job-template');
  if (!cm.data[key]) throw new Error(`the Job template ConfigMap has no ${key}: ${Object.keys(cm.data).join(', ')}`);
  return parseAll(cm.data[key])[0]!;
}

/** Every pod spec the chart defines: the Deployments' and the Job templates'. */
export function podSpecs(objs: Obj[]): { where: string; spec: Obj }[] {
  const out = objs.filter((o) => o.kind === 'Deployment').map((d) => ({ where: `Deployment/${d.metadata.name}`, spec: d.spec.template.spec }));
  const cm = find(objs, 'ConfigMap', '-job-template');
  for (const key of ['job.yaml', 'gpu-job.yaml'] as const)
    if (cm?.data[key]) out.push({ where: `Job template ${key}`, spec: jobTemplate(objs, key).spec.template.spec });
  return out;
}

/** env entries of a container by name. */
export function envOf(container: Obj): Map<string, Obj> {
  return new Map(((container.env ?? []) as Obj[]).map((e) => [e.name as string, e]));
}
