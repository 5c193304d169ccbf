/**
 * A stand-in for the engine that returns instant, deterministic, synthetic results: what the
 * orchestration benchmark measures against (bench/orchestration), so its figures are Temporal's and
 * spnas's overhead alone. Selected with SPNAS_ENGINE=noop; never the default. Values depend only on
 * the inputs, so a study replays the same proposals.
 */
import { contentKey } from '../src/study/content-key';
import type { UseCaseContext } from '../src/usecases/context';
import type { ExecutionRequest, Executor } from './executor';

/** A number in [0, 1) from any JSON value. */
function unit(v: unknown): number {
  return parseInt(contentKey(v).slice(0, 8), 16) / 0x100000000;
}

export class NoopExecutor implements Executor {
  readonly kind = 'noop' as const;

  constructor(private readonly delayMs = 0) {}

  async run(req: ExecutionRequest, ctx: UseCaseContext): Promise<unknown> {
    if (this.delayMs > 0) {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, this.delayMs);
        ctx.signal?.addEventListener('abort', () => {
          clearTimeout(t);
          reject(ctx.signal!.reason);
        });
      });
    }
    const i = req.input as Record<string, unknown>;
    ctx.onProgress?.({ phase: req.name, done: 1, total: 1 });
    switch (req.name) {
      case 'warmupSupernet': {
        const epochs = i.epochs as number;
        return { epochSteps: Array.from({ length: epochs }, (_, e) => (e + 1) * 10), resumedFromStep: 0, seconds: 0, out: i.out };
      }
      case 'searchArchitecture': {
        const cfg = i.config as { runtimeLoss?: { lambda?: number } };
        const lambda = cfg.runtimeLoss?.lambda ?? 20;
        const predictedMs = 5 + 20 / (1 + lambda / 20);
        const architecture = { space: 'noop', layers: [{ op: 'skip' }], lambda };
        const warm = i.warmStart as { step: number } | undefined;
        return {
          architecture,
          architectureString: `noop-${contentKey(architecture).slice(0, 6)}`,
          predictedMs,
          predictedMsExact: predictedMs,
          macs: 1,
          supernetTop1: 0.1,
          supernetImages: 500,
          steps: 1,
          resumedFromStep: warm?.step ?? 0,
          finalLoss: 1,
          seconds: 0,
          space: 'noop',
          lambda,
          seed: 0,
          out: i.out,
          architectureUri: `${i.out}/architecture.json`,
          traceUri: `${i.out}/trace.json`,
        };
      }
      case 'trainModel':
        return {
          architecture: 'noop',
          valTop1: 0.5,
          valCount: 1,
          macs: 1,
          params: 1,
          seconds: 0,
          finalLoss: 1,
          steps: 1,
          resumedFromStep: 0,
          model: `${i.out}/model`,
          out: i.out,
        };
      case 'evaluateModel': {
        // From the configuration's part of the path only, so equal studies under other names score alike.
        const key = String(i.model).replace(/^.*\/(configs|final)\//, '$1/');
        // Scored on 500 images, as a real evaluation would be: correct / count is the top-1.
        const correct = Math.round(500 * (0.3 + 0.6 * unit(key)));
        return {
          top1: correct / 500,
          correct,
          count: 500,
          split: i.test ? 'test' : 'held-out',
          latencyMs: 5 + 20 * unit([key, 'latency']),
          architecture: 'noop',
          space: 'noop',
          data: 'noop',
          model: i.model,
          seconds: 0,
        };
      }
      case 'profileLatency':
        throw new Error('the no-op engine cannot profile a latency table; give the study a table');
      default:
        throw new Error(`the no-op engine has no ${req.name}`);
    }
  }
}
