/**
 * What a renderer needs of a MuJoCo episode, as plain data: every geom's type, size and colour group, and
 * its world pose (`geom_xpos`, `geom_xmat`) in each state of the episode, with the plane the model moves in
 * and the body a camera should follow. {@link mujocoScene} computes the poses on the engine: it loads each
 * state record into a scratch `MjData` of the task's model with `mj_setState` and runs `mj_kinematics`, so
 * the poses are those of the record's positions. The drawing (`src/report/render_mujoco.ts`) takes only
 * this data.
 *
 * @module
 */
import type { Mujoco } from "./engine.ts";
import type { MujocoState } from "./mujoco_env.ts";
import type { MujocoTask } from "./task.ts";

/** A geom's shape: MuJoCo's `mjtGeom` types that are drawn; `other` (meshes, height fields) is not. */
export type GeomKind = "plane" | "sphere" | "capsule" | "ellipsoid" | "cylinder" | "box" | "other";

const KINDS: readonly GeomKind[] = ["plane", "other", "sphere", "capsule", "ellipsoid", "cylinder", "box"];

/** One geom of the model, as it is in every frame. */
export interface SceneGeom {
  /** Its name in the model ("" if it has none). */
  readonly name: string;
  /** Its shape. */
  readonly kind: GeomKind;
  /** `geom_size`: radius, half-length or half-sizes, as MuJoCo defines them per type. */
  readonly size: readonly number[];
  /**
   * Its colour group: 0 for geoms of the world body; then one group for the geoms of each tree's root body
   * and one for each subtree hanging from a root (a leg, an arm), numbered in geom order from 1.
   */
  readonly part: number;
}

/** The poses of one state. */
export interface SceneFrame {
  /** `geom_xpos`: every geom's position, `[ngeom × 3]`. */
  readonly pos: ArrayLike<number>;
  /** `geom_xmat`: every geom's orientation, row-major `[ngeom × 9]` (column k is the geom's local axis k). */
  readonly mat: ArrayLike<number>;
  /** The followed body's position (`xpos`), `[x, y, z]`; zeros when no body is followed. */
  readonly focus: readonly number[];
}

/** An episode of a MuJoCo task as the renderer draws it. */
export interface MujocoScene {
  /** The task's id. */
  readonly id: string;
  /** Seconds per environment step: the model's timestep times the task's frame skip. */
  readonly dt: number;
  /**
   * The plane the model moves in: `xz` when every joint turns about y or slides in x–z (a side view shows
   * it all), `xy` when every joint turns about z or slides in x–y (a top view), else `3d`.
   */
  readonly motion: "xz" | "xy" | "3d";
  /** Whether a body moves freely (a free joint, or slides along both x and z): the camera follows it. */
  readonly follow: boolean;
  /** The model's geoms, in MuJoCo's order. */
  readonly geoms: readonly SceneGeom[];
  /** One pose set per state, in order. */
  readonly frames: readonly SceneFrame[];
}

const near = (v: number, target: number) => Math.abs(v - target) < 1e-9;

/** Colour groups: see {@link SceneGeom.part}. */
function colourParts(bodyOf: ArrayLike<number>, parent: ArrayLike<number>, root: ArrayLike<number>) {
  const parts = new Map<number, number>([[0, 0]]);
  return Array.from(bodyOf, (body) => {
    let key = body;
    while (key !== 0 && key !== root[body] && parent[key] !== root[body]) key = parent[key];
    if (!parts.has(key)) parts.set(key, parts.size);
    return parts.get(key)!;
  });
}

type Model = InstanceType<Mujoco["MjModel"]>;

/** The model's geoms, with their colour groups. */
function geomsOf(mj: Mujoco, model: Model): SceneGeom[] {
  const types = Array.from(model.geom_type as Int32Array);
  const sizes = Array.from(model.geom_size as Float64Array);
  const rgba = Array.from(model.geom_rgba as Float32Array);
  const groups = Array.from(model.geom_group as Int32Array);
  const parts = colourParts(
    Array.from(model.geom_bodyid as Int32Array),
    Array.from(model.body_parentid as Int32Array),
    Array.from(model.body_rootid as Int32Array),
  );
  return types.map((type, i) => ({
    name: mj.mj_id2name(model, mj.mjtObj.mjOBJ_GEOM.value, i) ?? "",
    // MuJoCo's viewer shows groups 0-2 by default, and nothing transparent.
    kind: groups[i] > 2 || rgba[4 * i + 3] === 0 ? "other" : KINDS[type] ?? "other",
    size: sizes.slice(3 * i, 3 * i + 3),
    part: parts[i],
  }));
}

/**
 * The plane of motion ({@link MujocoScene.motion}) and the first body that moves freely, from the joints'
 * types and world axes (`xaxis`, `[njnt × 3]`).
 */
function motionOf(mj: Mujoco, model: Model, axes: readonly number[]) {
  const types = Array.from(model.jnt_type as Int32Array);
  const bodies = Array.from(model.jnt_bodyid as Int32Array);
  const { mjJNT_FREE, mjJNT_BALL, mjJNT_SLIDE } = mj.mjtJoint;
  const slide = (j: number) => types[j] === mjJNT_SLIDE.value;
  const along = (j: number, k: number) => near(Math.abs(axes[3 * j + k]), 1);
  const across = (j: number, k: number) => near(axes[3 * j + k], 0);
  const joints = types.map((_, j) => j);
  const spatial = types.some((t) => t === mjJNT_FREE.value || t === mjJNT_BALL.value);
  // A hinge about the plane's normal, or a slide within the plane, keeps a body in the plane.
  const planar = (normal: number) =>
    !spatial && joints.every((j) => slide(j) ? across(j, normal) : along(j, normal));
  const motion: MujocoScene["motion"] = planar(1) ? "xz" : joints.length > 0 && planar(2) ? "xy" : "3d";
  const slides = (body: number, k: number) =>
    joints.some((j) => bodies[j] === body && slide(j) && along(j, k));
  const followed = bodies.find((body, j) =>
    types[j] === mjJNT_FREE.value || (slides(body, 0) && slides(body, 2))
  );
  return { motion, followed };
}

/**
 * The scene of an episode: the geoms of the task's model and their poses in each state record.
 *
 * The model and data it makes are freed before it returns.
 *
 * @param mj the engine (`loadMujocoEngine()`)
 * @param task the task the states are of
 * @param states the episode's state records (`MujocoState`, as `rollout` collects them)
 * @returns the scene
 * @throws {RangeError} when a record's integration state has the wrong length for the model
 */
export function mujocoScene(mj: Mujoco, task: MujocoTask, states: readonly MujocoState[]): MujocoScene {
  const model = mj.MjModel.from_xml_string(task.xml);
  try {
    const data = new mj.MjData(model);
    try {
      const spec = mj.mjtState.mjSTATE_INTEGRATION.value;
      const size = mj.mj_stateSize(model, spec);
      const load = (state: MujocoState) => {
        if (state.physics.length !== size) {
          throw new RangeError(`${task.id}: a state of ${state.physics.length} values, expected ${size}`);
        }
        mj.mj_setState(model, data, state.physics as number[], spec);
        mj.mj_kinematics(model, data);
      };
      // The joints' world axes at the first state tell the plane of motion and the body to follow.
      if (states.length > 0) load(states[0]);
      const { motion, followed } = motionOf(mj, model, Array.from(data.xaxis as Float64Array));
      const frames = states.map((state): SceneFrame => {
        load(state);
        const xpos = data.xpos as Float64Array;
        return {
          pos: Float64Array.from(data.geom_xpos as Float64Array),
          mat: Float64Array.from(data.geom_xmat as Float64Array),
          focus: followed === undefined
            ? [0, 0, 0]
            : Array.from(xpos.subarray(3 * followed, 3 * followed + 3)),
        };
      });
      const opt = model.opt;
      const timestep = opt.timestep;
      opt.delete();
      return {
        id: task.id,
        dt: timestep * task.frameSkip,
        motion,
        follow: followed !== undefined,
        geoms: geomsOf(mj, model),
        frames,
      };
    } finally {
      data.delete();
    }
  } finally {
    model.delete();
  }
}
