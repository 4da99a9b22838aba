import assert from "node:assert/strict";
import { aggregateEvals, bestOfMeanCurve, firstReaching, meanStd } from "./aggregate.ts";

Deno.test("aggregateEvals: mean and 95% t-interval across runs at shared steps", () => {
  const runs = [
    [{ totalSteps: 10, mean: -3, std: 0 }, { totalSteps: 20, mean: 1, std: 0 }],
    [{ totalSteps: 10, mean: -1, std: 0 }, { totalSteps: 20, mean: 3, std: 0 }, {
      totalSteps: 30,
      mean: 9,
      std: 0,
    }],
  ];
  // Step 10: mean −2, sample sd √2, half-width 12.706·√2/√2 = 12.706. Step 30 is not shared.
  const points = aggregateEvals(runs);
  assert.equal(points.length, 2);
  assert.deepEqual(points[0], { totalSteps: 10, mean: -2, low: -2 - 12.706, high: -2 + 12.706 });
  assert.equal(points[1].mean, 2);
  assert.deepEqual(aggregateEvals([runs[0]])[0], { totalSteps: 10, mean: -3, low: -3, high: -3 });
  assert.deepEqual(aggregateEvals([]), []);
});

Deno.test("firstReaching: the first step at or above the threshold", () => {
  const evals = [{ totalSteps: 1, mean: -500, std: 0 }, { totalSteps: 2, mean: -200, std: 0 }, {
    totalSteps: 3,
    mean: -100,
    std: 0,
  }];
  assert.equal(firstReaching(evals, -200), 2);
  assert.equal(firstReaching(evals, 0), undefined);
});

Deno.test("meanStd: mean and sample (n − 1) standard deviation", () => {
  // 2, 4, 9: mean 5, squared deviations 9 + 1 + 16 = 26, sample variance 13.
  const { mean, std } = meanStd([2, 4, 9]);
  assert.equal(mean, 5);
  assert.equal(std, Math.sqrt(13));
  assert.deepEqual(meanStd([7]), { mean: 7, std: 0 });
  assert.throws(() => meanStd([]), RangeError);
});

Deno.test("bestOfMeanCurve: the mean curve's peak and the spread over n there, below the mean of maxima", () => {
  const row = (totalSteps: number, mean: number) => ({ totalSteps, mean, std: 0 });
  // Each run peaks at another step (run a at 10 with 10, run b at 30 with 12); the mean curve is
  // 5, 7, 6.5 at 10, 20, 30, with run b's step 40 not shared. Its peak is 7 at step 20, where the runs
  // hold 4 and 10: deviations ±3, so the spread over n is 3 (over n − 1 it would be √18).
  const a = [row(10, 10), row(20, 4), row(30, 1)];
  const b = [row(10, 0), row(20, 10), row(30, 12), row(40, 50)];
  assert.deepEqual(bestOfMeanCurve([a, b]), { totalSteps: 20, mean: 7, std: 3 });
  assert.ok(7 < meanStd([10, 12]).mean);
  // Ties keep the first step; one run is its own maximum with no spread; no shared step, no peak.
  assert.deepEqual(bestOfMeanCurve([[row(1, 2), row(2, 2)]]), { totalSteps: 1, mean: 2, std: 0 });
  assert.equal(bestOfMeanCurve([[row(1, 2)], [row(2, 2)]]), undefined);
  assert.equal(bestOfMeanCurve([]), undefined);
});
