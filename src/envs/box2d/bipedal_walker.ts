/**
 * Gymnasium's `BipedalWalker-v3` (Box2D, Gymnasium 1.3.0, `hardcore=False`) on the planck physics engine, a
 * JavaScript port of Box2D 2.3: a four-joint walker on gently rolling grass must reach the far end of the
 * terrain. The bodies, joints, terrain, lidar, observation, reward and termination follow
 * `gymnasium/envs/box2d/bipedal_walker.py`; the 1600-step limit is Gymnasium's `TimeLimit`, counted by the
 * session. Clouds and colours are visual only and left out.
 *
 * The engine's world is mutable and lives inside the session (the runtime layer owns it): a session cannot
 * save an episode in progress, and `reset` builds a fresh world each time. All randomness (the terrain's
 * random walk, the lengths of its flat spots and the initial push on the hull) is drawn from the reset key.
 *
 * @module
 */
import { type Body, Box, type Contact, Edge, type Fixture, Polygon, RevoluteJoint, World } from "planck";
import { type Key, randint, split, uniform } from "../../core/rng.ts";
import type { EnvSession, EnvSource, SessionStep } from "../session.ts";

const FPS = 50;
const SCALE = 30;
const MOTORS_TORQUE = 80;
const SPEED_HIP = 4;
const SPEED_KNEE = 6;
const LIDAR_RANGE = 160 / SCALE;
const LIDAR_RAYS = 10;
const INITIAL_RANDOM = 5;
const HULL_POLY: readonly (readonly [number, number])[] = [[-30, 9], [6, 9], [34, 1], [34, -8], [-30, -8]];
const LEG_DOWN = -8 / SCALE;
const LEG_W = 8 / SCALE;
const LEG_H = 34 / SCALE;
const VIEWPORT_W = 600;
const VIEWPORT_H = 400;
const TERRAIN_STEP = 14 / SCALE;
const TERRAIN_LENGTH = 200;
const TERRAIN_HEIGHT = VIEWPORT_H / SCALE / 4;
const TERRAIN_GRASS = 10;
const TERRAIN_STARTPAD = 20;
const FRICTION = 2.5;
const MAX_EPISODE_STEPS = 1600;
const GROUND_CATEGORY = 0x0001;
const WALKER_CATEGORY = 0x0020;
/** Box2D's default gravity, which pybox2d's `b2World()` uses (planck's default is zero). */
const GRAVITY = { x: 0, y: -10 };
const VELOCITY_ITERATIONS = 6 * 30;
const POSITION_ITERATIONS = 2 * 30;

/** A body's pose as a renderer needs it, in world units (metres; multiply by 30 for Gymnasium's pixels). */
export interface BodyPose {
  /** x of the body origin. */
  readonly x: number;
  /** y of the body origin. */
  readonly y: number;
  /** Angle in radians, counter-clockwise. */
  readonly angle: number;
}

/** A leg segment: its pose and the half extents of its box. */
export interface LegSegmentView extends BodyPose {
  /** Half width of the box. */
  readonly halfWidth: number;
  /** Half height of the box. */
  readonly halfHeight: number;
}

/** One lidar ray: from the hull to the closest ground point within range (or to the end of its range). */
export interface LidarView {
  /** Start x (the hull position). */
  readonly x1: number;
  /** Start y. */
  readonly y1: number;
  /** End x: the hit point, or the end of the ray. */
  readonly x2: number;
  /** End y. */
  readonly y2: number;
  /** Fraction of the range at the hit, 1 when nothing was hit. */
  readonly fraction: number;
}

/** What {@link EnvSession.view} returns for BipedalWalker: a plain record describing the current world. */
export interface BipedalWalkerView {
  /** Pixels per world unit in Gymnasium's renderer (30). */
  readonly scale: number;
  /** The hull's pose and its polygon in body coordinates. */
  readonly hull: BodyPose & { readonly vertices: readonly (readonly [number, number])[] };
  /** Leg segments in Gymnasium's order: upper 0, lower 0, upper 1, lower 1. */
  readonly legs: readonly LegSegmentView[];
  /** Ground contact of the lower legs 0 and 1. */
  readonly groundContact: readonly [boolean, boolean];
  /** The terrain polyline, x and y of its 200 points. */
  readonly terrain: { readonly x: readonly number[]; readonly y: readonly number[] };
  /** The 10 lidar rays of the last step. */
  readonly lidar: readonly LidarView[];
  /** The hull touched the ground. */
  readonly gameOver: boolean;
  /** Steps taken since reset. */
  readonly steps: number;
}

/** A lidar reading: the closest ground hit of one ray. */
interface LidarReading {
  fraction: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** Everything one episode's world holds. */
interface Walker {
  readonly world: World;
  readonly hull: Body;
  /** Upper 0, lower 0, upper 1, lower 1 (Gymnasium's `legs`). */
  readonly legs: readonly Body[];
  /** Hip 0, knee 0, hip 1, knee 1 (Gymnasium's `joints`). */
  readonly joints: readonly RevoluteJoint[];
  readonly terrainX: readonly number[];
  readonly terrainY: readonly number[];
  /** Ground contact of lower legs 0 and 1. */
  readonly contact: [boolean, boolean];
  readonly lidar: LidarReading[];
  gameOver: boolean;
  prevShaping: number | undefined;
  steps: number;
}

/**
 * The terrain heights of the non-hardcore track: a damped random walk pulled back to `TERRAIN_HEIGHT`, flat
 * over the start pad, with a level point after each grass spot of 5–9 points.
 *
 * @param key the key to consume
 * @returns x and y of the 200 terrain points
 */
function generateTerrain(key: Key): { x: number[]; y: number[] } {
  const [kWalk, kSpots] = split(key);
  const kicks = uniform(kWalk, TERRAIN_LENGTH, { low: -1, high: 1 });
  const spots = randint(kSpots, TERRAIN_LENGTH, { high: TERRAIN_GRASS / 2 });
  const xs: number[] = [];
  const ys: number[] = [];
  let velocity = 0;
  let y = TERRAIN_HEIGHT;
  let counter = TERRAIN_STARTPAD;
  let levelPoint = false; // Gymnasium's `oneshot`: the point after a spot keeps the height
  for (let i = 0; i < TERRAIN_LENGTH; i++) {
    xs.push(i * TERRAIN_STEP);
    if (!levelPoint) {
      velocity = 0.8 * velocity + 0.01 * Math.sign(TERRAIN_HEIGHT - y);
      if (i > TERRAIN_STARTPAD) velocity += kicks[i] / SCALE;
      y += velocity;
    }
    levelPoint = false;
    ys.push(y);
    counter -= 1;
    if (counter === 0) {
      counter = TERRAIN_GRASS / 2 + spots[i]; // numpy's integers(5, 10): 5..9
      levelPoint = true;
    }
  }
  return { x: xs, y: ys };
}

/** Builds the world of one episode: terrain, hull (pushed sideways), legs and joints, contact listener. */
function buildWalker(key: Key): Walker {
  const [kTerrain, kForce] = split(key);
  const world = new World({ gravity: GRAVITY });
  const terrain = generateTerrain(kTerrain);
  for (let i = 0; i < TERRAIN_LENGTH - 1; i++) {
    const edge = world.createBody();
    edge.createFixture({
      shape: new Edge({ x: terrain.x[i], y: terrain.y[i] }, { x: terrain.x[i + 1], y: terrain.y[i + 1] }),
      friction: FRICTION,
      filterCategoryBits: GROUND_CATEGORY,
    });
  }

  const initX = (TERRAIN_STEP * TERRAIN_STARTPAD) / 2;
  const initY = TERRAIN_HEIGHT + 2 * LEG_H;
  const hull = world.createDynamicBody({ position: { x: initX, y: initY } });
  hull.createFixture({
    shape: new Polygon(HULL_POLY.map(([x, y]) => ({ x: x / SCALE, y: y / SCALE }))),
    density: 5,
    friction: 0.1,
    restitution: 0,
    filterCategoryBits: WALKER_CATEGORY,
    filterMaskBits: GROUND_CATEGORY,
  });
  const push = uniform(kForce, 1, { low: -INITIAL_RANDOM, high: INITIAL_RANDOM })[0];
  hull.applyForceToCenter({ x: push, y: 0 }, true);

  const legs: Body[] = [];
  const joints: RevoluteJoint[] = [];
  const segment = (y: number, angle: number, halfWidth: number): Body => {
    const body = world.createDynamicBody({ position: { x: initX, y }, angle });
    body.createFixture({
      shape: new Box(halfWidth, LEG_H / 2),
      density: 1,
      restitution: 0,
      filterCategoryBits: WALKER_CATEGORY,
      filterMaskBits: GROUND_CATEGORY,
    });
    return body;
  };
  for (const side of [-1, 1]) {
    const upper = segment(initY - LEG_H / 2 - LEG_DOWN, side * 0.05, LEG_W / 2);
    legs.push(upper);
    joints.push(
      world.createJoint(
        new RevoluteJoint({
          bodyA: hull,
          bodyB: upper,
          localAnchorA: { x: 0, y: LEG_DOWN },
          localAnchorB: { x: 0, y: LEG_H / 2 },
          // Box2D's joint definition defaults to 0; planck would take the bodies' current angle difference.
          referenceAngle: 0,
          enableMotor: true,
          enableLimit: true,
          maxMotorTorque: MOTORS_TORQUE,
          motorSpeed: side,
          lowerAngle: -0.8,
          upperAngle: 1.1,
        }),
      )!,
    );
    const lower = segment(initY - (LEG_H * 3) / 2 - LEG_DOWN, side * 0.05, (0.8 * LEG_W) / 2);
    legs.push(lower);
    joints.push(
      world.createJoint(
        new RevoluteJoint({
          bodyA: upper,
          bodyB: lower,
          localAnchorA: { x: 0, y: -LEG_H / 2 },
          localAnchorB: { x: 0, y: LEG_H / 2 },
          referenceAngle: 0,
          enableMotor: true,
          enableLimit: true,
          maxMotorTorque: MOTORS_TORQUE,
          motorSpeed: 1,
          lowerAngle: -1.6,
          upperAngle: -0.1,
        }),
      )!,
    );
  }

  const walker: Walker = {
    world,
    hull,
    legs,
    joints,
    terrainX: terrain.x,
    terrainY: terrain.y,
    contact: [false, false],
    lidar: Array.from({ length: LIDAR_RAYS }, () => ({ fraction: 1, x1: 0, y1: 0, x2: 0, y2: 0 })),
    gameOver: false,
    prevShaping: undefined,
    steps: 0,
  };
  const touches = (contact: Contact, body: Body) =>
    contact.getFixtureA().getBody() === body || contact.getFixtureB().getBody() === body;
  world.on("begin-contact", (contact) => {
    if (touches(contact, hull)) walker.gameOver = true;
    if (touches(contact, legs[1])) walker.contact[0] = true;
    if (touches(contact, legs[3])) walker.contact[1] = true;
  });
  // As in Gymnasium, any contact that ends clears the flag, even if another ground edge still touches.
  world.on("end-contact", (contact) => {
    if (touches(contact, legs[1])) walker.contact[0] = false;
    if (touches(contact, legs[3])) walker.contact[1] = false;
  });
  return walker;
}

function clip01(x: number): number {
  return Math.min(Math.max(x, 0), 1);
}

/** Casts the 10 lidar rays from the hull, keeping the closest ground hit of each. */
function castLidar(w: Walker): void {
  const pos = w.hull.getPosition();
  for (let i = 0; i < LIDAR_RAYS; i++) {
    const reading = w.lidar[i];
    reading.fraction = 1;
    reading.x1 = pos.x;
    reading.y1 = pos.y;
    reading.x2 = pos.x + Math.sin((1.5 * i) / 10) * LIDAR_RANGE;
    reading.y2 = pos.y - Math.cos((1.5 * i) / 10) * LIDAR_RANGE;
    w.world.rayCast(
      { x: reading.x1, y: reading.y1 },
      { x: reading.x2, y: reading.y2 },
      (fixture: Fixture, point, _normal, fraction) => {
        if ((fixture.getFilterCategoryBits() & GROUND_CATEGORY) === 0) return -1;
        reading.x2 = point.x;
        reading.y2 = point.y;
        reading.fraction = fraction;
        return fraction;
      },
    );
  }
}

/** One Gymnasium `step` (without the time limit): motors, physics, lidar, observation, reward. */
function advance(w: Walker, action: ArrayLike<number>): SessionStep {
  for (let j = 0; j < 4; j++) {
    const a = action[j];
    const speed = j % 2 === 0 ? SPEED_HIP : SPEED_KNEE;
    w.joints[j].setMotorSpeed(speed * Math.sign(a));
    w.joints[j].setMaxMotorTorque(MOTORS_TORQUE * clip01(Math.abs(a)));
  }
  w.world.step(1 / FPS, VELOCITY_ITERATIONS, POSITION_ITERATIONS);
  castLidar(w);

  const pos = w.hull.getPosition();
  const vel = w.hull.getLinearVelocity();
  const angle = w.hull.getAngle();
  const [hip0, knee0, hip1, knee1] = w.joints;
  const observation = Float32Array.of(
    angle,
    (2 * w.hull.getAngularVelocity()) / FPS,
    (0.3 * vel.x * (VIEWPORT_W / SCALE)) / FPS,
    (0.3 * vel.y * (VIEWPORT_H / SCALE)) / FPS,
    hip0.getJointAngle(),
    hip0.getJointSpeed() / SPEED_HIP,
    knee0.getJointAngle() + 1,
    knee0.getJointSpeed() / SPEED_KNEE,
    w.contact[0] ? 1 : 0,
    hip1.getJointAngle(),
    hip1.getJointSpeed() / SPEED_HIP,
    knee1.getJointAngle() + 1,
    knee1.getJointSpeed() / SPEED_KNEE,
    w.contact[1] ? 1 : 0,
    ...w.lidar.map((r) => r.fraction),
  );

  // Shaping rewards progress (130 per SCALE metres, ≈300 over the track) and a level hull.
  const shaping = (130 * pos.x) / SCALE - 5 * Math.abs(angle);
  let reward = w.prevShaping === undefined ? 0 : shaping - w.prevShaping;
  w.prevShaping = shaping;
  for (let j = 0; j < 4; j++) reward -= 0.00035 * MOTORS_TORQUE * clip01(Math.abs(action[j]));

  let terminated = false;
  if (w.gameOver || pos.x < 0) {
    reward = -100;
    terminated = true;
  }
  if (pos.x > (TERRAIN_LENGTH - TERRAIN_GRASS) * TERRAIN_STEP) terminated = true;
  return { observation, reward, terminated, truncated: false };
}

function pose(body: Body): BodyPose {
  const p = body.getPosition();
  return { x: p.x, y: p.y, angle: body.getAngle() };
}

function describe(w: Walker): BipedalWalkerView {
  return {
    scale: SCALE,
    hull: { ...pose(w.hull), vertices: HULL_POLY.map(([x, y]) => [x / SCALE, y / SCALE] as const) },
    legs: w.legs.map((body, i) => ({
      ...pose(body),
      halfWidth: i % 2 === 0 ? LEG_W / 2 : (0.8 * LEG_W) / 2,
      halfHeight: LEG_H / 2,
    })),
    groundContact: [w.contact[0], w.contact[1]],
    terrain: { x: [...w.terrainX], y: [...w.terrainY] },
    lidar: w.lidar.map((r) => ({ ...r })),
    gameOver: w.gameOver,
    steps: w.steps,
  };
}

/**
 * Build `BipedalWalker-v3` (Gymnasium 1.3.0, normal terrain) as a source of engine-backed sessions.
 *
 * Actions are four motor commands in [−1, 1] for hip 0, knee 0, hip 1, knee 1: the joint's motor speed is
 * `SPEED·sign(a)` (4 rad/s for hips, 6 for knees) and its maximum torque `80·clip(|a|, 0, 1)`. The world steps
 * by 1/50 s with 180 velocity and 60 position iterations. The 24 observations (float32) are the hull angle,
 * `2ω/50`, `0.3·vx·20/50`, `0.3·vy·(40/3)/50`; for each leg the hip angle, hip speed/4, knee angle + 1, knee
 * speed/6 and the lower leg's ground contact (0 or 1); then the 10 lidar fractions (1 = no ground within
 * 160/30 m), rays fanning from straight down forward in steps of 0.15 rad.
 *
 * The reward is the change of `130·x/30 − 5·|hull angle|` minus `0.028·clip(|a|, 0, 1)` per motor; when the
 * hull touches the ground or x < 0 the reward is −100 and the episode terminates; past x = 190·14/30 it
 * terminates without penalty; step 1600 is truncated. As in Gymnasium, `reset` builds a new world from the key
 * (terrain, a horizontal push on the hull drawn from U[−5, 5)), takes one physics step with a zero action and
 * returns that step's observation; that step does not count toward the 1600.
 *
 * @returns the source, id `"BipedalWalker-v3"`
 * @example
 * ```ts
 * import { bipedalWalker } from "./bipedal_walker.ts";
 * import { keyFromSeed } from "../../core/rng.ts";
 * const session = bipedalWalker().open();
 * const first = session.reset(keyFromSeed(0)); // 24 floats, lidar fractions in (0, 1]
 * const { reward, terminated } = session.step(Float32Array.of(0, 0, 0, 0));
 * session.dispose();
 * ```
 */
export function bipedalWalker(): EnvSource {
  return {
    id: "BipedalWalker-v3",
    observationSize: 24,
    actionSize: 4,
    actionLow: [-1, -1, -1, -1],
    actionHigh: [1, 1, 1, 1],
    maxEpisodeSteps: MAX_EPISODE_STEPS,
    open: (): EnvSession => {
      let walker: Walker | undefined;
      const current = (): Walker => {
        if (walker === undefined) throw new Error("BipedalWalker-v3: step before reset (or after dispose)");
        return walker;
      };
      return {
        reset: (key) => {
          walker = buildWalker(key);
          return advance(walker, [0, 0, 0, 0]).observation;
        },
        step: (action) => {
          const w = current();
          if (action.length !== 4) {
            throw new RangeError(`BipedalWalker-v3: action must have 4 entries, got ${action.length}`);
          }
          const result = advance(w, action);
          w.steps += 1;
          return w.steps >= MAX_EPISODE_STEPS ? { ...result, truncated: true } : result;
        },
        save: () => undefined,
        load: () => {
          throw new Error(
            "BipedalWalker-v3: an episode in progress cannot be loaded (the Box2D world cannot be saved exactly)",
          );
        },
        view: () => describe(current()),
        dispose: () => {
          walker = undefined;
        },
      };
    },
  };
}
