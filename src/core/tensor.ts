/**
 * The tensor types this library's API is written in: tfjs's own, named here so that every signature of
 * `mod.ts` refers to a type `mod.ts` exports. They are aliases, not wrappers: a `tf.Tensor2D` is a
 * {@link Tensor2D} and back.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";

/** A tfjs tensor of any rank. */
export type Tensor = tf.Tensor;

/** A tfjs tensor of rank 0: one number. */
export type Scalar = tf.Scalar;

/** A tfjs tensor of rank 1: a vector. */
export type Tensor1D = tf.Tensor1D;

/** A tfjs tensor of rank 2: rows of a batch, or a weight matrix `[in, out]`. */
export type Tensor2D = tf.Tensor2D;
