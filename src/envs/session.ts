/**
 * Environments as the runtime steps them: a session is one running episode with its own state, opened from
 * an {@link EnvSource}. A pure environment (`Env<S>`, the library's usual kind) becomes a session that just
 * holds its current state record, so the state can be saved in a checkpoint and loaded again exactly. An
 * environment built on a physics engine keeps the engine's world inside its session (mutable, owned here
 * in the runtime layer) and cannot save an episode in progress.
 *
 * @module
 */
import type { Key } from "../core/rng.ts";
import type { Env, EnvSpec } from "./env.ts";

/** What one step of a session reports. */
export interface SessionStep {
  /** The next observation (float32). */
  readonly observation: Float32Array;
  /** Reward of the transition. */
  readonly reward: number;
  /** The episode reached a terminal state. */
  readonly terminated: boolean;
  /** The episode was cut by the time limit. */
  readonly truncated: boolean;
}

/** One running episode of an environment. */
export interface EnvSession {
  /** Start an episode from a key; returns its first observation. */
  reset(key: Key): Float32Array;
  /** Advance one step with an action. */
  step(action: Float32Array): SessionStep;
  /** The episode in progress as plain JSON data, or `undefined` when it cannot be saved (engines). */
  save(): unknown;
  /** Continue an episode that {@link EnvSession.save} returned. */
  load(saved: unknown): void;
  /** What a renderer draws: the pure environment's state record, or a description of the engine's bodies. */
  view(): unknown;
  /** Free engine resources; the session cannot be used afterwards. */
  dispose(): void;
}

/** An environment the runtime can open sessions of: its spec and a session factory. */
export interface EnvSource extends EnvSpec {
  /** A new session (call `reset` before stepping). */
  open(): EnvSession;
  /** The pure environment behind the sessions, when there is one (the training loop steps it directly). */
  readonly pure?: Env<unknown>;
}

/**
 * Sessions of a pure environment: the session holds the current state record.
 *
 * @param env a pure environment
 * @returns the source
 */
export function pureSource<S>(env: Env<S>): EnvSource {
  return {
    id: env.id,
    observationSize: env.observationSize,
    actionSize: env.actionSize,
    actionLow: env.actionLow,
    actionHigh: env.actionHigh,
    maxEpisodeSteps: env.maxEpisodeSteps,
    pure: env as Env<unknown>,
    open: () => {
      let state: S | undefined;
      const current = () => {
        if (state === undefined) throw new Error(`${env.id}: step before reset`);
        return state;
      };
      return {
        reset: (key) => {
          const r = env.reset(key);
          state = r.state;
          return r.observation;
        },
        step: (action) => {
          const r = env.step(current(), action);
          state = r.state;
          return r;
        },
        save: () => current(),
        load: (saved) => {
          state = saved as S;
        },
        view: () => current(),
        dispose: () => {
          state = undefined;
        },
      };
    },
  };
}

/**
 * An environment as a source, whether it is pure or already a source.
 *
 * @param env a pure environment or a source
 * @returns the source
 */
export function asSource(env: Env<unknown> | EnvSource): EnvSource {
  return "open" in env ? env : pureSource(env);
}

/**
 * A session seen through the pure {@link Env} interface, for a loop written against `Env`: its state record
 * is always `undefined`, since the world lives in the session, and `step` advances the session (an effect,
 * unlike a pure environment's). A checkpoint of such an episode cannot be saved; a resumed run starts a new
 * one.
 *
 * @param spec the environment's spaces
 * @param session an open session
 * @returns the session as an `Env`
 */
export function sessionEnv(spec: EnvSpec, session: EnvSession): Env<undefined> {
  return {
    id: spec.id,
    observationSize: spec.observationSize,
    actionSize: spec.actionSize,
    actionLow: spec.actionLow,
    actionHigh: spec.actionHigh,
    maxEpisodeSteps: spec.maxEpisodeSteps,
    reset: (key) => ({ state: undefined, observation: session.reset(key) }),
    step: (_state, action) => ({ ...session.step(action), state: undefined }),
  };
}
