/**
 * Gymnasium's `LunarLanderContinuous-v3` (`LunarLander(continuous=True)` of Gymnasium 1.3.0,
 * `gymnasium/envs/box2d/lunar_lander.py`) on the planck physics engine, a JavaScript port of Box2D 2.x (the
 * engine Gymnasium drives through pybox2d). Land a two-legged craft on the pad at the origin with a main
 * engine and two side engines.
 *
 * Everything Gymnasium sets up is rebuilt here with its numbers: gravity −10 without wind, a terrain of 11
 * chunks with random heights, a flat helipad and the same smoothing, the lander polygon and its two legs on
 * motorised revolute joints with limits, the random push at reset, the engine impulses with their dispersion
 * noise, the 8-dimensional observation, the shaped reward with fuel costs, the terminal ±100, 50 frames per
 * second with 180 velocity and 60 position iterations per step, and the 1000-step time limit.
 *
 * Randomness comes only from the reset key: terrain heights and the initial push are drawn from it, and the
 * rest of it becomes the session's own key stream, from which every step splits a subkey for its dispersion
 * noise. An episode is therefore a deterministic function of the reset key and the actions.
 *
 * Gymnasium's exhaust particles are skipped: they are created only when rendering, their category (0x100)
 * collides only with the terrain and not with the lander or legs (mask 0x001), and bodies touching only a
 * static body form islands of their own, so they change neither the lander's motion, its contacts, nor
 * its sleep state.
 *
 * @module
 */
import { type Body, Box, type Contact, Edge, Polygon, RevoluteJoint, Vec2, World } from "planck";
import { type Key, split, uniform } from "../../core/rng.ts";
import type { EnvSession, EnvSource, SessionStep } from "../session.ts";

const FPS = 50;
/** Pixels per metre: Gymnasium draws and sizes everything in pixels of a 600×400 viewport. */
const SCALE = 30;
const MAIN_ENGINE_POWER = 13;
const SIDE_ENGINE_POWER = 0.6;
const INITIAL_RANDOM = 1000;
const LANDER_POLY: readonly (readonly [number, number])[] = [
  [-14, 17],
  [-17, 0],
  [-17, -10],
  [17, -10],
  [17, 0],
  [14, 17],
];
const LEG_AWAY = 20;
const LEG_DOWN = 18;
const LEG_W = 2;
const LEG_H = 8;
const LEG_SPRING_TORQUE = 40;
const SIDE_ENGINE_HEIGHT = 14;
const SIDE_ENGINE_AWAY = 12;
const MAIN_ENGINE_Y_LOCATION = 4;
const VIEWPORT_W = 600;
const VIEWPORT_H = 400;
const W = VIEWPORT_W / SCALE;
const H = VIEWPORT_H / SCALE;
const CHUNKS = 11;
const GRAVITY = -10;
const MAX_EPISODE_STEPS = 1000;

const GROUND_CATEGORY = 0x0001;
const LANDER_CATEGORY = 0x0010;
const LEG_CATEGORY = 0x0020;

/** Options of {@link lunarLanderContinuous}. */
export interface LunarLanderOptions {
  /** Steps after which `step` reports `truncated` (Gymnasium's TimeLimit), default 1000. */
  readonly maxEpisodeSteps?: number;
}

/** A body's pose in world metres and radians. */
export interface LunarLanderPose {
  /** Horizontal position of the body origin, metres (0..20 across the viewport). */
  readonly x: number;
  /** Vertical position of the body origin, metres (0..13.3 up the viewport). */
  readonly y: number;
  /** Angle in radians, counter-clockwise, not wrapped. */
  readonly angle: number;
}

/** What a renderer needs to draw a lunar-lander episode; all lengths in metres (Gymnasium's pixels / 30). */
export interface LunarLanderView {
  /** Width and height of the viewport in metres (20 × 13.3). */
  readonly world: { readonly width: number; readonly height: number };
  /** The lander body. */
  readonly lander: LunarLanderPose;
  /** Vertices of the lander polygon in its body frame. */
  readonly landerPolygon: readonly (readonly [number, number])[];
  /**
   * The two legs in Gymnasium's order, with whether each touches the ground (observation entries 6 and 7).
   * The first (built with i = −1) hangs on the right (+x) of the body, the second on the left.
   */
  readonly legs: readonly (LunarLanderPose & { readonly contact: boolean })[];
  /** Half width and half height of a leg box, in its body frame. */
  readonly legHalfSize: readonly [number, number];
  /** The terrain surface as a polyline from x = 0 to x = 20. */
  readonly terrain: readonly (readonly [number, number])[];
  /** The flags of the landing pad: its ends and the height the observation measures from. */
  readonly helipad: { readonly x1: number; readonly x2: number; readonly y: number };
  /** Engine powers of the last step: main in {0} ∪ [0.5, 1]; side signed, −1..−0.5 left, 0.5..1 right. */
  readonly engines: { readonly main: number; readonly side: number };
  /** Steps taken since reset. */
  readonly steps: number;
}

/** One episode's engine world and the flags its contact listener sets. */
interface Episode {
  readonly world: World;
  readonly lander: Body;
  readonly legs: readonly [Body, Body];
  readonly legContact: [boolean, boolean];
  readonly terrain: readonly (readonly [number, number])[];
  readonly helipadX1: number;
  readonly helipadX2: number;
  readonly helipadY: number;
  gameOver: boolean;
  prevShaping: number | undefined;
  stream: Key;
  steps: number;
  mainPower: number;
  sidePower: number;
}

/** Gymnasium's terrain: 12 random heights, a flat pad around the centre, then a three-point smoothing. */
function terrainPolyline(key: Key): {
  points: [number, number][];
  helipadX1: number;
  helipadX2: number;
  helipadY: number;
} {
  const heights = Array.from(uniform(key, CHUNKS + 1, { low: 0, high: H / 2 }));
  const chunkX = Array.from({ length: CHUNKS }, (_, i) => (W / (CHUNKS - 1)) * i);
  const mid = Math.floor(CHUNKS / 2);
  const helipadY = H / 4;
  for (let i = mid - 2; i <= mid + 2; i++) heights[i] = helipadY;
  // Gymnasium averages with the factor 0.33 (not 1/3), and for the first chunk its index −1 wraps to the
  // last height, as Python's negative indexing does.
  const at = (i: number) => heights[(i + heights.length) % heights.length];
  const points = chunkX.map((x, i): [number, number] => [x, 0.33 * (at(i - 1) + at(i) + at(i + 1))]);
  return { points, helipadX1: chunkX[mid - 1], helipadX2: chunkX[mid + 1], helipadY };
}

/** A fresh world laid out as Gymnasium's `reset` builds it, before its first (hidden) step. */
function buildEpisode(key: Key): Episode {
  const [terrainKey, forceKey, stream] = split(key, 3);
  const world = new World({ gravity: new Vec2(0, GRAVITY) });
  const { points, helipadX1, helipadX2, helipadY } = terrainPolyline(terrainKey);

  // Ground: a bottom edge (Box2D's default friction 0.2), then the surface edges with friction 0.1.
  const moon = world.createBody();
  moon.createFixture(new Edge(new Vec2(0, 0), new Vec2(W, 0)), { density: 0 });
  for (let i = 0; i < CHUNKS - 1; i++) {
    const [x1, y1] = points[i];
    const [x2, y2] = points[i + 1];
    moon.createFixture(new Edge(new Vec2(x1, y1), new Vec2(x2, y2)), { density: 0, friction: 0.1 });
  }

  const initialX = W / 2;
  const initialY = H;
  const lander = world.createBody({ type: "dynamic", position: new Vec2(initialX, initialY), angle: 0 });
  lander.createFixture(new Polygon(LANDER_POLY.map(([x, y]) => new Vec2(x / SCALE, y / SCALE))), {
    density: 5,
    friction: 0.1,
    restitution: 0,
    filterCategoryBits: LANDER_CATEGORY,
    filterMaskBits: GROUND_CATEGORY,
  });
  const push = uniform(forceKey, 2, { low: -INITIAL_RANDOM, high: INITIAL_RANDOM });
  lander.applyForceToCenter(new Vec2(push[0], push[1]), true);

  const legs = ([-1, 1] as const).map((i) => {
    const leg = world.createBody({
      type: "dynamic",
      position: new Vec2(initialX - (i * LEG_AWAY) / SCALE, initialY),
      angle: i * 0.05,
    });
    leg.createFixture(new Box(LEG_W / SCALE, LEG_H / SCALE), {
      density: 1,
      restitution: 0,
      filterCategoryBits: LEG_CATEGORY,
      filterMaskBits: GROUND_CATEGORY,
    });
    // The legs start rotated by ±0.05 against a reference angle of 0, outside their limits, and their
    // anchors start 0.6 m apart; the solver pulls them into place during the first steps, as in Box2D.
    world.createJoint(
      new RevoluteJoint({
        bodyA: lander,
        bodyB: leg,
        localAnchorA: new Vec2(0, 0),
        localAnchorB: new Vec2((i * LEG_AWAY) / SCALE, LEG_DOWN / SCALE),
        referenceAngle: 0,
        enableMotor: true,
        enableLimit: true,
        maxMotorTorque: LEG_SPRING_TORQUE,
        motorSpeed: 0.3 * i,
        lowerAngle: i === -1 ? 0.9 - 0.5 : -0.9,
        upperAngle: i === -1 ? 0.9 : -0.9 + 0.5,
      }),
    );
    return leg;
  }) as [Body, Body];

  const episode: Episode = {
    world,
    lander,
    legs,
    legContact: [false, false],
    terrain: points,
    helipadX1,
    helipadX2,
    helipadY,
    gameOver: false,
    prevShaping: undefined,
    stream,
    steps: 0,
    mainPower: 0,
    sidePower: 0,
  };
  const touches = (contact: Contact, body: Body) =>
    contact.getFixtureA().getBody() === body || contact.getFixtureB().getBody() === body;
  world.on("begin-contact", (contact) => {
    if (touches(contact, lander)) episode.gameOver = true;
    for (let i = 0; i < 2; i++) if (touches(contact, legs[i])) episode.legContact[i] = true;
  });
  world.on("end-contact", (contact) => {
    for (let i = 0; i < 2; i++) if (touches(contact, legs[i])) episode.legContact[i] = false;
  });
  return episode;
}

function clip(x: number, low: number, high: number): number {
  return Math.min(Math.max(x, low), high);
}

/**
 * One frame: fire the engines as the action asks, advance the world by 1/50 s, and score the result.
 * Gymnasium's `step` without the time limit; returns the observation as float64 numbers.
 */
function advance(
  ep: Episode,
  action: Float32Array,
): { state: number[]; reward: number; terminated: boolean } {
  const lander = ep.lander;
  const a0 = clip(action[0], -1, 1);
  const a1 = clip(action[1], -1, 1);
  const angle = lander.getAngle();
  const tip = [Math.sin(angle), Math.cos(angle)];
  const side = [-tip[1], tip[0]];
  const [stream, noiseKey] = split(ep.stream);
  ep.stream = stream;
  const noise = uniform(noiseKey, 2, { low: -1, high: 1 });
  const dispersion = [noise[0] / SCALE, noise[1] / SCALE];
  const pos = lander.getPosition();
  const px = pos.x;
  const py = pos.y;

  let mainPower = 0;
  if (a0 > 0) {
    mainPower = (clip(a0, 0, 1) + 1) * 0.5;
    const along = MAIN_ENGINE_Y_LOCATION / SCALE + 2 * dispersion[0];
    const ox = tip[0] * along + side[0] * dispersion[1];
    const oy = -tip[1] * along - side[1] * dispersion[1];
    const f = MAIN_ENGINE_POWER * mainPower;
    lander.applyLinearImpulse(new Vec2(-ox * f, -oy * f), new Vec2(px + ox, py + oy), true);
  }

  let sidePower = 0;
  if (Math.abs(a1) > 0.5) {
    const direction = Math.sign(a1);
    sidePower = clip(Math.abs(a1), 0.5, 1);
    const across = 3 * dispersion[1] + (direction * SIDE_ENGINE_AWAY) / SCALE;
    const ox = tip[0] * dispersion[0] + side[0] * across;
    const oy = -tip[1] * dispersion[0] - side[1] * across;
    // Gymnasium offsets the nozzle by 17 px along x but SIDE_ENGINE_HEIGHT = 14 px along y; kept as is,
    // since it makes the side engines' torque depend on the lander's angle.
    const point = new Vec2(px + ox - (tip[0] * 17) / SCALE, py + oy + (tip[1] * SIDE_ENGINE_HEIGHT) / SCALE);
    const f = SIDE_ENGINE_POWER * sidePower;
    lander.applyLinearImpulse(new Vec2(-ox * f, -oy * f), point, true);
  }
  ep.mainPower = mainPower;
  ep.sidePower = sidePower === 0 ? 0 : Math.sign(a1) * sidePower;

  ep.world.step(1 / FPS, 6 * 30, 2 * 30);

  const p = lander.getPosition();
  const v = lander.getLinearVelocity();
  const state = [
    (p.x - W / 2) / (W / 2),
    (p.y - (ep.helipadY + LEG_DOWN / SCALE)) / (H / 2),
    (v.x * (W / 2)) / FPS,
    (v.y * (H / 2)) / FPS,
    lander.getAngle(),
    (20 * lander.getAngularVelocity()) / FPS,
    ep.legContact[0] ? 1 : 0,
    ep.legContact[1] ? 1 : 0,
  ];
  const shaping = -100 * Math.sqrt(state[0] * state[0] + state[1] * state[1]) -
    100 * Math.sqrt(state[2] * state[2] + state[3] * state[3]) - 100 * Math.abs(state[4]) + 10 * state[6] +
    10 * state[7];
  let reward = ep.prevShaping === undefined ? 0 : shaping - ep.prevShaping;
  ep.prevShaping = shaping;
  reward -= mainPower * 0.3;
  reward -= sidePower * 0.03;

  let terminated = false;
  if (ep.gameOver || Math.abs(state[0]) >= 1) {
    terminated = true;
    reward = -100;
  }
  if (!lander.isAwake()) {
    terminated = true;
    reward = 100;
  }
  return { state, reward, terminated };
}

function poseOf(body: Body): LunarLanderPose {
  const p = body.getPosition();
  return { x: p.x, y: p.y, angle: body.getAngle() };
}

/**
 * Gymnasium's `LunarLanderContinuous-v3` on planck: observation `[x, y, vx, vy, angle, angular velocity,
 * contact of leg 0, contact of leg 1]` (leg 0 hangs on the +x side) (positions relative to the pad and scaled to the viewport, velocities
 * scaled by viewport/FPS, angular velocity by 20/FPS); action `[main, lateral]` in [−1, 1]², the main engine
 * firing at 50–100 % when `main > 0`, a side engine at 50–100 % when `|lateral| > 0.5` (left for negative,
 * right for positive). Reward: the change of the shaping potential `−100‖(x, y)‖ − 100‖(vx, vy)‖ −
 * 100|angle| + 10·(legs in contact)`, minus 0.3 per frame × main power and 0.03 × side power; a crash (the
 * body touches the ground) or `|x| ≥ 1` ends the episode with −100, coming to rest (the body falls asleep)
 * with +100. Episodes are truncated after 1000 steps.
 *
 * Sessions own a planck world, so `save` returns `undefined` and `load` throws.
 *
 * @param options the time limit (for tests)
 * @returns the environment source
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lunarLanderContinuous } from "./lunar_lander.ts";
 * import { keyFromSeed } from "../../core/rng.ts";
 * const session = lunarLanderContinuous().open();
 * const first = session.reset(keyFromSeed(0));
 * assert.deepEqual(Array.from(first, (v) => v.toFixed(4)), [
 *   "0.0063", "1.4099", "0.6417", "-0.0448", "-0.0073", "-0.1454", "0.0000", "0.0000",
 * ]);
 * const { reward, terminated } = session.step(new Float32Array([1, 0])); // main engine at full power
 * assert.deepEqual([reward.toFixed(4), terminated], ["-0.0632", false]);
 * session.dispose();
 * ```
 */
export function lunarLanderContinuous(options: LunarLanderOptions = {}): EnvSource {
  const maxEpisodeSteps = options.maxEpisodeSteps ?? MAX_EPISODE_STEPS;
  if (!Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps < 1) {
    throw new RangeError(`maxEpisodeSteps must be a positive integer, got ${maxEpisodeSteps}`);
  }
  const id = "LunarLanderContinuous-v3";
  return {
    id,
    observationSize: 8,
    actionSize: 2,
    actionLow: [-1, -1],
    actionHigh: [1, 1],
    maxEpisodeSteps,
    open: (): EnvSession => {
      let episode: Episode | undefined;
      let disposed = false;
      const current = (): Episode => {
        if (episode === undefined) {
          throw new Error(`${id}: ${disposed ? "session disposed" : "step before reset"}`);
        }
        return episode;
      };
      return {
        reset: (key: Key): Float32Array => {
          if (disposed) throw new Error(`${id}: session disposed`);
          episode = buildEpisode(key);
          // Gymnasium's reset ends with one step doing nothing; its observation is the first one.
          const { state } = advance(episode, new Float32Array(2));
          episode.steps = 0;
          return Float32Array.from(state);
        },
        step: (action: Float32Array): SessionStep => {
          const ep = current();
          const { state, reward, terminated } = advance(ep, action);
          ep.steps += 1;
          return {
            observation: Float32Array.from(state),
            reward,
            terminated,
            truncated: ep.steps >= maxEpisodeSteps,
          };
        },
        save: (): undefined => undefined,
        load: (): void => {
          throw new Error(
            `${id}: a planck world cannot be saved and restored exactly, so episodes cannot be loaded`,
          );
        },
        view: (): LunarLanderView => {
          const ep = current();
          return {
            world: { width: W, height: H },
            lander: poseOf(ep.lander),
            landerPolygon: LANDER_POLY.map(([x, y]) => [x / SCALE, y / SCALE] as const),
            legs: ep.legs.map((leg, i) => ({ ...poseOf(leg), contact: ep.legContact[i] })),
            legHalfSize: [LEG_W / SCALE, LEG_H / SCALE],
            terrain: ep.terrain.map(([x, y]) => [x, y] as const),
            helipad: { x1: ep.helipadX1, x2: ep.helipadX2, y: ep.helipadY },
            engines: { main: ep.mainPower, side: ep.sidePower },
            steps: ep.steps,
          };
        },
        dispose: (): void => {
          episode = undefined;
          disposed = true;
        },
      };
    },
  };
}
