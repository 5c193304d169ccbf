/** The final phase: the selected member and the front's most accurate retrained with the final budget and evaluated (test set when given). */
import { patched } from '@temporalio/workflow';
import { LATENCY_PAIRS } from '../../src/latency/statistic';
import { top1Fields } from '../../src/study/accuracy';
import { latencyInterval } from '../../src/study/latency-interval';
import { studyLayout } from '../../src/study/names';
import type { FinalModel } from '../../src/study/records';
import { studyRetrainConfig } from '../../src/study/retrain-config';
import { latencyReference } from './carry';
import type { PlannedRun } from './study-run';

/** Enters the final state and starts every final model at once (synchronously up to the first activity, as it always did). */
export async function finalPhase(study: PlannedRun): Promise<FinalModel[]> {
  const { spec, book, carry, data, run } = study;
  run.setState('final');
  study.details();
  // studies that reached this point before the change keep retraining the most accurate members
  const chosen = patched('final-selected-first')
    ? book.finalMembers(spec.budget.final.models)
    : [...book.front()].sort((a, b) => b.top1 - a.top1).slice(0, spec.budget.final.models);
  return Promise.all(
    chosen.map(async (m) => {
      const rec = book.get(m.trialId)!;
      const train = await run.heavy.trainModel.executeWithOptions({ summary: `final retraining of trial ${m.trialId}: ${m.architecture}` }, [
        study.request('retrain', {
          space: spec.space,
          architecture: m.architecture,
          data: data.final,
          measureLatency: false,
          // the same batch-size rule as the trials' retraining (src/study/retrain-config.ts)
          config: {
            seed: spec.budget.seed,
            ...studyRetrainConfig({ recipe: spec.budget.final.recipe, ...spec.budget.final.config }, spec.budget.batchSize),
          },
          out: studyLayout.final(carry.studyRoot, m.trialId),
          search: { trial: m.trialId, uri: rec.result!.search, ...(m.lambda !== undefined ? { lambda: m.lambda } : {}) },
        }),
      ]);
      const measured = spec.objectives.latency === 'measured';
      const reference = measured ? latencyReference(carry) : undefined;
      const evalReq = { model: train.model, latencyRepeats: measured ? LATENCY_PAIRS : 0, ...(reference ? { reference } : {}) };
      const heldOut = await run.heavy.evaluateModel.executeWithOptions({ summary: `final evaluation of trial ${m.trialId} (held-out)` }, [
        study.request('evaluate', evalReq),
      ]);
      const test = spec.data.test
        ? await run.heavy.evaluateModel.executeWithOptions({ summary: `final evaluation of trial ${m.trialId} (test set)` }, [
            study.request('evaluate', { ...evalReq, test: spec.data.test, latencyRepeats: 0 }),
          ])
        : undefined;
      const seconds = train.seconds + heldOut.seconds + (test?.seconds ?? 0);
      book.addSeconds({ final: seconds });
      if (heldOut.latencyMs !== undefined) book.recordTableFit(rec.result!.predictedMs, heldOut.latencyMs);
      return {
        trialId: m.trialId,
        architecture: m.architecture,
        top1: heldOut.top1,
        ...top1Fields(heldOut.top1, heldOut.count),
        // the final model's test accuracy: on the separate test set when given, else on the plan's test split (its held-out split)
        ...(test
          ? { testTop1: test.top1, ...testFields(test.top1, test.count) }
          : data.planUri
            ? { testTop1: heldOut.top1, ...testFields(heldOut.top1, heldOut.count) }
            : {}),
        ...(heldOut.latencyMs !== undefined ? { latencyMs: heldOut.latencyMs, ...latencyInterval(heldOut, 'latencyIntervalMs') } : {}),
        predictedMs: rec.result!.predictedMs,
        model: train.model,
        seconds,
      };
    }),
  );
}

/** The final model's test-set top-1 sample size and interval, named for the test set. */
function testFields(top1: number, images: number | undefined): Pick<FinalModel, 'testImages' | 'testInterval'> {
  const f = top1Fields(top1, images);
  return f.interval ? { testImages: f.images!, testInterval: f.interval } : {};
}
