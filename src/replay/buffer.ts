/**
 * A replay buffer: a preallocated ring of float32 arrays (capacity up to millions of transitions) with
 * uniform sampling driven by an RNG key. It stores `terminated`, never `truncated`: a transition cut by the
 * time limit still bootstraps from its next state.
 *
 * This is runtime-side mutable storage; sampling is a pure function of the contents and the key.
 *
 * @module
 */
import type { Batch } from "../core/batch.ts";
import { type Key, randint } from "../core/rng.ts";

/** Sizes of a {@link ReplayBuffer}. */
export interface ReplayBufferOptions {
  /** Maximum number of transitions kept; the oldest is overwritten when full. */
  readonly capacity: number;
  /** Observation length. */
  readonly observationSize: number;
  /** Action length. */
  readonly actionSize: number;
}

/** One transition to store. */
export interface Transition {
  /** s */
  readonly observation: ArrayLike<number>;
  /** a */
  readonly action: ArrayLike<number>;
  /** r */
  readonly reward: number;
  /** s' */
  readonly nextObservation: ArrayLike<number>;
  /** Whether s' is terminal. */
  readonly terminated: boolean;
}

/** A fixed-capacity ring buffer of transitions. */
export class ReplayBuffer {
  /** Sizes given at construction. */
  readonly options: ReplayBufferOptions;
  readonly #obs: Float32Array;
  readonly #act: Float32Array;
  readonly #rew: Float32Array;
  readonly #next: Float32Array;
  readonly #term: Float32Array;
  #size = 0;
  #head = 0;

  /**
   * Allocate the storage.
   *
   * @param options capacity and sizes
   */
  constructor(options: ReplayBufferOptions) {
    const { capacity, observationSize: o, actionSize: a } = options;
    for (const [name, v] of Object.entries(options)) {
      if (!Number.isSafeInteger(v) || v < 1) {
        throw new RangeError(`replay buffer ${name} must be ≥ 1, got ${v}`);
      }
    }
    this.options = options;
    this.#obs = new Float32Array(capacity * o);
    this.#act = new Float32Array(capacity * a);
    this.#rew = new Float32Array(capacity);
    this.#next = new Float32Array(capacity * o);
    this.#term = new Float32Array(capacity);
  }

  /** Number of transitions stored. */
  get size(): number {
    return this.#size;
  }

  /**
   * Store a transition, overwriting the oldest when full.
   *
   * @param t the transition
   */
  add(t: Transition): void {
    const { capacity, observationSize: o, actionSize: a } = this.options;
    if (t.observation.length !== o || t.nextObservation.length !== o || t.action.length !== a) {
      throw new RangeError("replay buffer: transition sizes do not match the buffer");
    }
    const i = this.#head;
    this.#obs.set(t.observation, i * o);
    this.#act.set(t.action, i * a);
    this.#rew[i] = t.reward;
    this.#next.set(t.nextObservation, i * o);
    this.#term[i] = t.terminated ? 1 : 0;
    this.#head = (i + 1) % capacity;
    this.#size = Math.min(this.#size + 1, capacity);
  }

  /**
   * Sample `batchSize` transitions uniformly with replacement; the indices come from `key`.
   *
   * @param key the key to consume
   * @param batchSize how many transitions
   * @returns a fresh batch (copies, never views of the storage)
   */
  sample(key: Key, batchSize: number): Batch {
    if (this.#size === 0) throw new RangeError("replay buffer: cannot sample from an empty buffer");
    const { observationSize: o, actionSize: a } = this.options;
    const idx = randint(key, batchSize, { high: this.#size });
    const batch = {
      size: batchSize,
      observations: new Float32Array(batchSize * o),
      actions: new Float32Array(batchSize * a),
      rewards: new Float32Array(batchSize),
      nextObservations: new Float32Array(batchSize * o),
      terminated: new Float32Array(batchSize),
    };
    for (let j = 0; j < batchSize; j++) {
      const i = idx[j];
      batch.observations.set(this.#obs.subarray(i * o, (i + 1) * o), j * o);
      batch.actions.set(this.#act.subarray(i * a, (i + 1) * a), j * a);
      batch.rewards[j] = this.#rew[i];
      batch.nextObservations.set(this.#next.subarray(i * o, (i + 1) * o), j * o);
      batch.terminated[j] = this.#term[i];
    }
    return batch;
  }
}
