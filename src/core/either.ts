/**
 * The result type of everything in this library that can fail with a message: a value or the reason there
 * is none. It is fp-ts's `Either`, spelled out (the same `_tag`, `left` and `right` fields), so that
 * `mod.ts` exports every type its signatures use; fp-ts's functions (`E.isLeft`, `E.map`, `pipe`, …) take
 * and return it as their own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as E from "fp-ts/lib/Either.js";
 * import type { Either } from "./either.ts";
 *
 * const half = (n: number): Either<string, number> => n % 2 === 0 ? E.right(n / 2) : E.left(`${n} is odd`);
 * assert.deepEqual(half(4), E.right(2));
 * assert.ok(E.isLeft(half(3)));
 * ```
 *
 * @module
 */

/** A failure, holding why. */
export interface Left<L> {
  /** Discriminant: `"Left"`. */
  readonly _tag: "Left";
  /** The reason (in this library, a one-line message). */
  readonly left: L;
}

/** A success, holding the value. */
export interface Right<R> {
  /** Discriminant: `"Right"`. */
  readonly _tag: "Right";
  /** The value. */
  readonly right: R;
}

/** A value of type `R`, or a reason of type `L` why there is none (fp-ts's `Either<L, R>`). */
export type Either<L, R> = Left<L> | Right<R>;
