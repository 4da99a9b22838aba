import assert from "node:assert/strict";
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import type { Either } from "./either.ts";

Deno.test("Either is fp-ts's Either: values pass both ways, and fp-ts's guards and maps work on it", () => {
  const ours: Either<string, number> = E.right(2);
  const theirs: E.Either<string, number> = ours;
  const back: Either<string, number> = pipe(theirs, E.map((n) => n + 1));
  assert.deepEqual(back, { _tag: "Right", right: 3 });
  const failed: Either<string, number> = E.left("no");
  if (E.isLeft(failed)) assert.equal(failed.left, "no");
  else assert.fail("a Left is a Left");
  assert.equal(E.getOrElse(() => 0)(failed), 0);
});
