import assert from "node:assert/strict";
import { aggregateEvals, firstReaching, meanStd } from "./aggregate.ts";

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
