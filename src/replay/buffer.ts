/**
 * A replay buffer: a ring of float32 rows (capacity up to millions of transitions) with uniform sampling
 * driven by an RNG key. Storage comes in chunks of 16384 rows allocated as transitions arrive, so a short
 * run does not pay for a large capacity and nothing is ever copied to grow: a full buffer holds exactly its
 * (2·obs + act + 2)·4 bytes per transition. It stores `terminated`, never `truncated`: a transition cut by the
 * time limit still bootstraps from its next state.
 *
 * This is runtime-side mutable storage; sampling is a pure function of the contents and the key, and
 * {@link ReplayBuffer.sampleWith} lets a pure step sample as if its own transition were already stored.
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

const CHUNK_BITS = 14;
const CHUNK_ROWS = 1 << CHUNK_BITS;
const ROW_MASK = CHUNK_ROWS - 1;

/** One chunk of rows of every field. */
interface Chunk {
  readonly obs: Float32Array;
  readonly act: Float32Array;
  readonly rew: Float32Array;
  readonly next: Float32Array;
  readonly term: Float32Array;
}

/** A fixed-capacity ring buffer of transitions. */
export class ReplayBuffer {
  /** Sizes given at construction. */
  readonly options: ReplayBufferOptions;
  readonly #chunks: Chunk[] = [];
  #size = 0;
  #head = 0;

  /**
   * An empty buffer (storage is allocated as transitions arrive).
   *
   * @param options capacity and sizes
   */
  constructor(options: ReplayBufferOptions) {
    for (const [name, v] of Object.entries(options)) {
      if (!Number.isSafeInteger(v) || v < 1) {
        throw new RangeError(`replay buffer ${name} must be ≥ 1, got ${v}`);
      }
    }
    this.options = options;
  }

  /** The chunk holding row `i`, allocated on first use (the last one only as long as the capacity needs). */
  #chunk(i: number): Chunk {
    const c = i >> CHUNK_BITS;
    const existing = this.#chunks[c];
    if (existing !== undefined) return existing;
    const { capacity, observationSize: o, actionSize: a } = this.options;
    const rows = Math.min(CHUNK_ROWS, capacity - c * CHUNK_ROWS);
    const chunk = {
      obs: new Float32Array(rows * o),
      act: new Float32Array(rows * a),
      rew: new Float32Array(rows),
      next: new Float32Array(rows * o),
      term: new Float32Array(rows),
    };
    this.#chunks[c] = chunk;
    return chunk;
  }

  /** Copy rows `[0, n)` of every field out of (`out`) or into (`!out`) contiguous arrays. */
  #copy(n: number, flat: Omit<ReplaySnapshot, "size" | "head">, out: boolean): void {
    const { observationSize: o, actionSize: a } = this.options;
    for (let start = 0; start < n; start += CHUNK_ROWS) {
      const rows = Math.min(CHUNK_ROWS, n - start);
      const ch = this.#chunk(start);
      const pairs: [Float32Array, Float32Array, number][] = [
        [ch.obs, flat.observations, o],
        [ch.act, flat.actions, a],
        [ch.rew, flat.rewards, 1],
        [ch.next, flat.nextObservations, o],
        [ch.term, flat.terminated, 1],
      ];
      for (const [chunk, whole, w] of pairs) {
        if (out) whole.set(chunk.subarray(0, rows * w), start * w);
        else chunk.set(whole.subarray(start * w, (start + rows) * w));
      }
    }
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
    buffer.#copy(size, snapshot, false);
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
    const flat = {
      observations: new Float32Array(n * o),
      actions: new Float32Array(n * a),
      rewards: new Float32Array(n),
      nextObservations: new Float32Array(n * o),
      terminated: new Float32Array(n),
    };
    this.#copy(n, flat, true);
    return { size: n, head: this.#head, ...flat };
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
    this.#check(t);
    const { capacity, observationSize: o, actionSize: a } = this.options;
    const i = this.#head;
    const ch = this.#chunk(i);
    const r = i & ROW_MASK;
    ch.obs.set(t.observation, r * o);
    ch.act.set(t.action, r * a);
    ch.rew[r] = t.reward;
    ch.next.set(t.nextObservation, r * o);
    ch.term[r] = t.terminated ? 1 : 0;
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
    return this.#gather(randint(key, batchSize, { high: this.#size }), undefined);
  }

  /**
   * The batch {@link ReplayBuffer.sample} would return after {@link ReplayBuffer.add} of `pending`, without
   * adding it: the buffer is only read. This lets a pure training step sample from the buffer as it will
   * be once the step's own transition is stored, and leave the storing to its caller.
   *
   * @param key the key to consume
   * @param batchSize how many transitions
   * @param pending the transition to count as stored
   * @returns a fresh batch
   */
  sampleWith(key: Key, batchSize: number, pending: Transition): Batch {
    this.#check(pending);
    const high = Math.min(this.#size + 1, this.options.capacity);
    return this.#gather(randint(key, batchSize, { high }), pending);
  }

  /** Copy rows `idx` into a new batch; row `#head` is `pending` when given. */
  #gather(idx: ArrayLike<number>, pending: Transition | undefined): Batch {
    const { observationSize: o, actionSize: a } = this.options;
    const batchSize = idx.length;
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
      if (pending !== undefined && i === this.#head) {
        batch.observations.set(pending.observation, j * o);
        batch.actions.set(pending.action, j * a);
        batch.rewards[j] = pending.reward;
        batch.nextObservations.set(pending.nextObservation, j * o);
        batch.terminated[j] = pending.terminated ? 1 : 0;
        continue;
      }
      const ch = this.#chunks[i >> CHUNK_BITS];
      const r = i & ROW_MASK;
      // Element loops, not `set(subarray(…))`: a row is a few values, and a view per row costs more.
      for (let c = 0; c < o; c++) {
        batch.observations[j * o + c] = ch.obs[r * o + c];
        batch.nextObservations[j * o + c] = ch.next[r * o + c];
      }
      for (let c = 0; c < a; c++) batch.actions[j * a + c] = ch.act[r * a + c];
      batch.rewards[j] = ch.rew[r];
      batch.terminated[j] = ch.term[r];
    }
    return batch;
  }

  /** Refuse a transition whose sizes do not match the buffer's. */
  #check(t: Transition): void {
    const { observationSize: o, actionSize: a } = this.options;
    if (t.observation.length !== o || t.nextObservation.length !== o || t.action.length !== a) {
      throw new RangeError("replay buffer: transition sizes do not match the buffer");
    }
  }
}
