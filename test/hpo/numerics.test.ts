import { test } from 'node:test';
import assert from 'node:assert/strict';
import { erfc, erfcx, logNormCdf, normCdf } from '../../src/hpo/normal';
import { eiHelper, expectedImprovement, logEiHelper, logEiWithGrad, logExpectedImprovement } from '../../src/hpo/log-ei';
import { GaussianProcess, negLogMarginalLikelihood } from '../../src/hpo/gp';
import { maternOfR } from '../../src/hpo/matern52';
import { minimizeBox } from '../../src/hpo/lbfgs';
import { Prng } from '../../src/random';
import { SobolSequence } from '../../src/hpo/sobol';
import { fitGpHyperparameters } from '../../src/hpo/gp-fit';
import { cholesky, inverseFromCholesky } from '../../src/hpo/linalg';
import { kernelMatrix } from '../../src/hpo/matern52';
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { warpOutputs } from '../../src/hpo/output-transform';

const close = (a: number, b: number, rel: number, what: string) => assert.ok(Math.abs(a - b) <= rel * Math.max(1e-300, Math.abs(b)), `${what}: ${a} vs ${b}`);

test('erfc and erfcx match reference values across the series / continued-fraction switch', () => {
  close(erfc(1), 0.15729920705028513, 1e-14, 'erfc(1)');
  close(erfc(2), 0.004677734981047266, 1e-13, 'erfc(2)');
  close(erfc(3), 2.209049699858544e-5, 1e-13, 'erfc(3)');
  close(erfc(-1), 1.8427007929497148, 1e-15, 'erfc(-1)');
  close(erfcx(0.5), 0.6156903441929259, 1e-14, 'erfcx(0.5)');
  close(erfcx(10), 0.05614099274382259, 1e-14, 'erfcx(10)');
  close(erfcx(100), 0.005641613782989433, 1e-13, 'erfcx(100)');
  close(Math.exp(logNormCdf(-10)), 7.619853024160527e-24, 1e-12, 'Phi(-10)');
  assert.ok(Number.isFinite(logNormCdf(-1e5)), 'log Phi finite far in the tail');
  close(logNormCdf(-0.5), Math.log(normCdf(-0.5)), 1e-14, 'log Phi branch');
});

test('h(z) = phi(z) + z Phi(z) equals the expected improvement integral (quadrature)', () => {
  for (const z of [-3, -0.7, 0, 1.3]) {
    // E[max(z - u, 0)], u ~ N(0,1), by the trapezoid rule on [-12, z].
    const N = 200000;
    let s = 0;
    for (let i = 0; i <= N; i++) {
      const u = -12 + ((z + 12) * i) / N;
      const w = i === 0 || i === N ? 0.5 : 1;
      s += (w * (z - u) * Math.exp(-0.5 * u * u)) / Math.sqrt(2 * Math.PI);
    }
    close(eiHelper(z), (s * (z + 12)) / N, 1e-6, `h(${z})`);
  }
});

test('log-EI equals log(EI) wherever EI is representable and stays finite and monotone in the tail', () => {
  for (let z = -35; z <= 8; z += 0.25) {
    const ei = expectedImprovement(-z, 1, 0);
    assert.ok(ei > 0);
    close(logExpectedImprovement(-z, 1, 0), Math.log(ei), 1e-9, `z=${z}`);
  }
  close(logExpectedImprovement(3, 2, 1), Math.log(expectedImprovement(3, 2, 1)), 1e-12, 'sigma 2');
  // Far tail: EI underflows to 0; log-EI follows log phi(z) - 2 log|z| + log(1 - 3/z^2 + 15/z^4 ...).
  assert.equal(expectedImprovement(40, 1, 0), 0);
  for (const z of [-40, -100, -1e4]) {
    const asym = -0.5 * z * z - 0.5 * Math.log(2 * Math.PI) - 2 * Math.log(-z) - 3 / z ** 2 + 10.5 / z ** 4;
    close(logEiHelper(z), asym, 1e-9, `tail z=${z}`);
  }
  let prev = -Infinity;
  for (const z of [-1e12, -1e9, -1e6, -1e3, -100, -30, -5, -1.0001, -1, -0.9999, 0, 3]) {
    const v = logEiHelper(z);
    assert.ok(Number.isFinite(v) && v > prev, `finite and increasing at z=${z}`);
    prev = v;
  }
});

test('log-EI gradients match finite differences, including deep in the tail', () => {
  for (const [m, s] of [
    [0.3, 0.5],
    [5, 0.2],
    [60, 1],
  ] as const) {
    const g = logEiWithGrad(m, s, 0);
    const h = 1e-6;
    close(g.dMean, (logExpectedImprovement(m + h, s, 0) - logExpectedImprovement(m - h, s, 0)) / (2 * h), 1e-5, `dMean at ${m},${s}`);
    close(g.dSigma, (logExpectedImprovement(m, s + h, 0) - logExpectedImprovement(m, s - h, 0)) / (2 * h), 1e-5, `dSigma at ${m},${s}`);
  }
});

test('GP posterior on a two-point problem equals the closed-form 2x2 computation', () => {
  const hyper = { lengthscales: [0.5], signalVar: 1.5, noiseVar: 0.01 };
  const X = [[0], [1]];
  const y = [1, -0.5];
  const gp = new GaussianProcess(X, y, hyper);
  const k = (r: number) => 1.5 * (1 + Math.sqrt(5) * r + (5 / 3) * r * r) * Math.exp(-Math.sqrt(5) * r);
  close(maternOfR(1, 1), (1 + Math.sqrt(5) + 5 / 3) * Math.exp(-Math.sqrt(5)), 1e-15, 'Matern 5/2 at r=1');
  const a = 1.5 + 0.01;
  const b = k(1 / 0.5);
  const det = a * a - b * b;
  const inv = [
    [a / det, -b / det],
    [-b / det, a / det],
  ];
  const x = 0.3;
  const ks = [k(x / 0.5), k((1 - x) / 0.5)];
  const w = [inv[0]![0]! * ks[0]! + inv[0]![1]! * ks[1]!, inv[1]![0]! * ks[0]! + inv[1]![1]! * ks[1]!];
  const mean = w[0]! * y[0]! + w[1]! * y[1]!;
  const variance = 1.5 - (w[0]! * ks[0]! + w[1]! * ks[1]!);
  const p = gp.predict([[x]]);
  close(p.mean[0]!, mean, 1e-12, 'posterior mean');
  close(p.variance[0]!, variance, 1e-10, 'posterior variance');
  // Gradients of mean and variance in x against finite differences.
  const g = gp.predictWithGrad([x]);
  const e = 1e-6;
  const pp = gp.predict([[x + e], [x - e]]);
  close(g.dMean[0]!, (pp.mean[0]! - pp.mean[1]!) / (2 * e), 1e-6, 'dMean/dx');
  close(g.dVariance[0]!, (pp.variance[0]! - pp.variance[1]!) / (2 * e), 1e-5, 'dVar/dx');
});

test('marginal-likelihood gradients match finite differences and the fit recovers a known lengthscale', () => {
  const rng = Prng.fromSeed(3);
  const X = Array.from({ length: 25 }, () => [rng.float(), rng.float()]);
  const y = X.map(([a, b]) => Math.sin(6 * a!) + 0.1 * b!);
  const theta = [Math.log(0.3), Math.log(0.8), Math.log(1.2), Math.log(1e-3)];
  const { grad } = negLogMarginalLikelihood(X, y, theta);
  for (let j = 0; j < theta.length; j++) {
    const h = 1e-5;
    const up = [...theta];
    const dn = [...theta];
    up[j]! += h;
    dn[j]! -= h;
    const fd = (negLogMarginalLikelihood(X, y, up).value - negLogMarginalLikelihood(X, y, dn).value) / (2 * h);
    close(grad[j]!, fd, 1e-4, `dNLML/dtheta[${j}]`);
  }
  const fit = fitGpHyperparameters(X, y, { rng: Prng.fromSeed(1) });
  assert.ok(fit.lengthscales[1]! > 3 * fit.lengthscales[0]!, `x1 barely matters, so its lengthscale is longer: ${fit.lengthscales}`);
});

test('bounded L-BFGS finds the minimum of a Rosenbrock valley and respects bounds', () => {
  const rosen = (x: Float64Array) => ({
    value: 100 * (x[1]! - x[0]! ** 2) ** 2 + (1 - x[0]!) ** 2,
    grad: Float64Array.from([-400 * x[0]! * (x[1]! - x[0]! ** 2) - 2 * (1 - x[0]!), 200 * (x[1]! - x[0]! ** 2)]),
  });
  const r = minimizeBox(rosen, [-1.2, 1], [-2, -2], [2, 2], { maxIter: 500 });
  assert.ok(Math.abs(r.x[0]! - 1) < 1e-4 && Math.abs(r.x[1]! - 1) < 1e-4, `${r.x}`);
  const b = minimizeBox(rosen, [-1.2, 1], [-2, -2], [0.5, 2], { maxIter: 500 });
  assert.ok(Math.abs(b.x[0]! - 0.5) < 1e-9 && Math.abs(b.x[1]! - 0.25) < 1e-3, `bounded: ${b.x}`);
});

test('PRNG and Sobol are deterministic, restorable, and Sobol is a (0,m,2)-net in its first two dimensions', () => {
  const a = Prng.fromSeed(42);
  const seq = Array.from({ length: 5 }, () => a.nextU32());
  const b = Prng.fromSeed(42);
  assert.deepEqual(
    Array.from({ length: 5 }, () => b.nextU32()),
    seq,
  );
  const c = Prng.fromState(a.state());
  assert.equal(c.float(), a.float());
  assert.notDeepEqual(
    Array.from({ length: 5 }, () => Prng.fromSeed(43).nextU32()),
    seq,
  );
  const sob = SobolSequence.create(6, Prng.fromSeed(7));
  const pts = Array.from({ length: 64 }, () => sob.next());
  // Every elementary box of volume 1/64 in dims (0, 1) holds exactly one point; each dim is stratified.
  for (const [p, q] of [
    [1, 64],
    [8, 8],
    [64, 1],
    [2, 32],
  ] as const) {
    const seen = new Set(pts.map((x) => `${Math.floor(x[0]! * p)},${Math.floor(x[1]! * q)}`));
    assert.equal(seen.size, 64, `boxes ${p}x${q}`);
  }
  for (let d = 0; d < 6; d++) assert.equal(new Set(pts.map((x) => Math.floor(x[d]! * 64))).size, 64, `dim ${d} stratified`);
  const resumed = SobolSequence.fromState(sob.state());
  assert.deepEqual(resumed.next(), sob.next());
});

test('our Cholesky factor and inverse agree with ml-matrix on a Matern kernel matrix', () => {
  const rng = Prng.fromSeed(8);
  const n = 40;
  const X = Array.from({ length: n }, () => [rng.float(), rng.float(), rng.float()]);
  const K = kernelMatrix(X, { lengthscales: [0.3, 0.5, 0.7], signalVar: 1.3 });
  for (let i = 0; i < n; i++) K[i * n + i] = K[i * n + i]! + 1e-6;
  const L = cholesky(K, n)!;
  const ref = new CholeskyDecomposition(new Matrix(Array.from({ length: n }, (_, i) => Array.from(K.subarray(i * n, (i + 1) * n)))));
  assert.ok(ref.isPositiveDefinite());
  const RL = ref.lowerTriangularMatrix;
  let maxDiff = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) maxDiff = Math.max(maxDiff, Math.abs(L[i * n + j]! - RL.get(i, j)));
  assert.ok(maxDiff < 1e-9, `max |L - L_ml| = ${maxDiff}`);
  // K K^{-1} = I.
  const Kinv = inverseFromCholesky(L, n);
  let err = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += K[i * n + k]! * Kinv[k * n + j]!;
      err = Math.max(err, Math.abs(s - (i === j ? 1 : 0)));
    }
  }
  assert.ok(err < 1e-6, `|K K^-1 - I| = ${err}`);
  // Not positive definite: undefined, so callers can add jitter.
  assert.equal(cholesky(Float64Array.from([1, 2, 2, 1]), 2), undefined);
});

test('Yeo-Johnson output warping is monotone, standardised, and compresses a heavy right tail', () => {
  const rng = Prng.fromSeed(2);
  const y = Array.from({ length: 60 }, () => Math.exp(2 * rng.normal()));
  const { values, lambda } = warpOutputs(y, 'yeo-johnson');
  assert.ok(lambda < 1, `heavy right tail wants lambda < 1, got ${lambda}`);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  assert.ok(Math.abs(mean) < 1e-12 && Math.abs(sd - 1) < 1e-12);
  const order = (xs: number[]) => xs.map((_, i) => i).sort((a, b) => xs[a]! - xs[b]!);
  assert.deepEqual(order(values), order(y));
  assert.deepEqual(warpOutputs([3, 3, 3], 'yeo-johnson').values, [0, 0, 0]);
});
