/**
 * A replay buffer: a ring of float32 arrays (capacity up to millions of transitions; storage grows by
 * doubling as transitions arrive, so a short run does not pay for a large capacity) with uniform sampling
 * driven by an RNG key. It stores `terminated`, never `truncated`: a transition cut by the
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

/**
 * The contents of a {@link ReplayBuffer}, row for row as stored (the ring's physical order), for
 * checkpoints: `size` rows of each array, and the row the next transition goes to.
 */
export interface ReplaySnapshot {
  /** Transitions stored. */
  readonly size: number;
  /** Row of the next write (equals `size` until the ring is full). */
  readonly head: number;
  /** `[size, obs]` row-major. */
  readonly observations: Float32Array;
  /** `[size, act]` row-major. */
  readonly actions: Float32Array;
  /** `[size]`. */
  readonly rewards: Float32Array;
  /** `[size, obs]` row-major. */
  readonly nextObservations: Float32Array;
  /** `[size]`, 1 where the next state is terminal. */
  readonly terminated: Float32Array;
}

const INITIAL_ROWS = 4096;

/** A fixed-capacity ring buffer of transitions. */
export class ReplayBuffer {
  /** Sizes given at construction. */
  readonly options: ReplayBufferOptions;
  #obs: Float32Array;
  #act: Float32Array;
  #rew: Float32Array;
  #next: Float32Array;
  #term: Float32Array;
  #rows: number;
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
    this.#rows = Math.min(capacity, INITIAL_ROWS);
    this.#obs = new Float32Array(this.#rows * o);
    this.#act = new Float32Array(this.#rows * a);
    this.#rew = new Float32Array(this.#rows);
    this.#next = new Float32Array(this.#rows * o);
    this.#term = new Float32Array(this.#rows);
  }

  /**
   * A buffer holding exactly the transitions of a snapshot, in the same rows.
   *
   * @param options capacity and sizes (the capacity may differ from the snapshot's buffer, but must hold it)
   * @param snapshot what {@link ReplayBuffer.snapshot} returned
   * @returns the restored buffer
   */
  static restore(options: ReplayBufferOptions, snapshot: ReplaySnapshot): ReplayBuffer {
    const { capacity, observationSize: o, actionSize: a } = options;
    const { size, head } = snapshot;
    const lengths: [Float32Array, number][] = [
      [snapshot.observations, size * o],
      [snapshot.actions, size * a],
      [snapshot.rewards, size],
      [snapshot.nextObservations, size * o],
      [snapshot.terminated, size],
    ];
    // Until the ring is full the next write goes right after the last row; once full, anywhere in it.
    const headOk = size < capacity ? head === size : Number.isSafeInteger(head) && head >= 0 && head < size;
    if (
      !Number.isSafeInteger(size) || size < 0 || size > capacity || !headOk ||
      lengths.some(([x, n]) => x.length !== n)
    ) {
      throw new RangeError(
        `replay snapshot (size ${size}, head ${head}) does not fit a buffer of capacity ${capacity}` +
          ` with observation size ${o} and action size ${a}`,
      );
    }
    const buffer = new ReplayBuffer(options);
    buffer.#grow(size);
    buffer.#obs.set(snapshot.observations);
    buffer.#act.set(snapshot.actions);
    buffer.#rew.set(snapshot.rewards);
    buffer.#next.set(snapshot.nextObservations);
    buffer.#term.set(snapshot.terminated);
    buffer.#size = size;
    buffer.#head = head % capacity;
    return buffer;
  }

  /**
   * Copies of the stored transitions, for checkpoints.
   *
   * @returns the snapshot
   */
  snapshot(): ReplaySnapshot {
    const { observationSize: o, actionSize: a } = this.options;
    const n = this.#size;
    return {
      size: n,
      head: this.#head,
      observations: this.#obs.slice(0, n * o),
      actions: this.#act.slice(0, n * a),
      rewards: this.#rew.slice(0, n),
      nextObservations: this.#next.slice(0, n * o),
      terminated: this.#term.slice(0, n),
    };
  }

  /** Make room for at least `rows` rows (never more than the capacity), keeping what is stored. */
  #grow(rows: number): void {
    if (rows <= this.#rows) return;
    const { capacity, observationSize: o, actionSize: a } = this.options;
    let next = this.#rows;
    while (next < rows) next = Math.min(capacity, next * 2);
    const bigger = (old: Float32Array, width: number) => {
      const x = new Float32Array(next * width);
      x.set(old);
      return x;
    };
    this.#obs = bigger(this.#obs, o);
    this.#act = bigger(this.#act, a);
    this.#rew = bigger(this.#rew, 1);
    this.#next = bigger(this.#next, o);
    this.#term = bigger(this.#term, 1);
    this.#rows = next;
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
    this.#grow(i + 1);
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
