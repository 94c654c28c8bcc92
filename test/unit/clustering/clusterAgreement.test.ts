import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  adjustedMutualInformation,
  contingency,
  expectedMutualInformation,
  mutualInformation,
  normalizedMutualInformation,
} from '../../../src/core/clustering/clusterAgreement';
import { seededRandom } from '../../../src/core/clustering/seededRandom';

// The worked example of scikit-learn's test suite (test_adjusted_mutual_info_score).
const a = [1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3];
const b = [1, 1, 1, 1, 2, 1, 2, 2, 2, 2, 3, 1, 3, 3, 3, 2, 2];

test('MI, expected MI and AMI match the published values', () => {
  const t = contingency(a, b);
  assert.ok(Math.abs(mutualInformation(t) - 0.41022) < 5e-6);
  assert.ok(Math.abs(expectedMutualInformation(t) - 0.15042) < 5e-6);
  // (MI − EMI) / (mean(H(a), H(b)) − EMI) with H(a) = 1.09508, H(b) = 1.07338 (by hand).
  assert.ok(Math.abs(adjustedMutualInformation(a, b) - 0.27821) < 5e-5);
  assert.ok(Math.abs(adjustedMutualInformation(b, a) - 0.27821) < 5e-5);
});

test('AMI of a repeated labeling stays accurate for larger n', () => {
  const a110 = Array.from({ length: 110 }, () => a).flat();
  const b110 = Array.from({ length: 110 }, () => b).flat();
  // 0.37774 from an independent log-gamma implementation; scikit-learn's test asserts 0.38 to 2 places.
  assert.ok(Math.abs(adjustedMutualInformation(a110, b110) - 0.37774) < 5e-5);
});

test('identical labelings score 1, whatever the label names', () => {
  assert.equal(adjustedMutualInformation([0, 0, 1, 1], [0, 0, 1, 1]), 1);
  assert.ok(Math.abs(adjustedMutualInformation([0, 0, 1, 1, 2], ['x', 'x', 'y', 'y', 'z']) - 1) < 1e-12);
  assert.ok(Math.abs(normalizedMutualInformation([5, 5, 7, 7], [1, 1, 0, 0]) - 1) < 1e-12);
  assert.equal(adjustedMutualInformation([3, 3, 3], [1, 1, 1]), 1);
});

test('a labeling that carries no information scores 0', () => {
  assert.equal(adjustedMutualInformation([0, 0, 0, 0], [0, 1, 2, 3]), 0);
  assert.equal(normalizedMutualInformation([0, 0, 0, 0], [0, 1, 2, 3]), 0);
});

test('independent random labelings: AMI ≈ 0 while NMI is clearly positive', () => {
  const random = seededRandom(9);
  const n = 400;
  const x = Array.from({ length: n }, () => Math.floor(random() * 10));
  const y = Array.from({ length: n }, () => Math.floor(random() * 10));
  assert.ok(Math.abs(adjustedMutualInformation(x, y)) < 0.03);
  // NMI is not corrected for chance: with 10 × 10 labels on 400 items it sits well above 0.
  assert.ok(normalizedMutualInformation(x, y) > 0.03);
});
