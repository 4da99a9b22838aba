/**
 * Geoms of a MuJoCo scene projected onto the drawing plane: orthographic views (side, top, elevated) and
 * each geom's outline under them, in metres with u to the right and v up. Orthographic projection keeps
 * the outlines exact for capsules (a round-capped segment), spheres (a circle) and ellipsoids (an
 * ellipse); boxes are the hull of their corners, cylinders the hull of their two rims (16 points each).
 * Pure.
 *
 * @module
 */
import type { SceneFrame, SceneGeom } from "../envs/mujoco/scene.ts";

/** A point of the drawing plane, in metres: `[u, v]`, u to the right, v up. */
export type Point = readonly [number, number];

/** A geom's outline on the drawing plane. */
export type Shape =
  /** A capsule: every point within `radius` of the segment from `a` to `b`. */
  | { readonly kind: "segment"; readonly a: Point; readonly b: Point; readonly radius: number }
  /** A sphere. */
  | { readonly kind: "circle"; readonly center: Point; readonly radius: number }
  /** A box or a cylinder: a convex polygon, counter-clockwise. */
  | { readonly kind: "polygon"; readonly points: readonly Point[] }
  /** An ellipsoid: `center + cos t · major + sin t · minor`, the two semi-axes orthogonal. */
  | { readonly kind: "ellipse"; readonly center: Point; readonly major: Point; readonly minor: Point };

/** An orthographic view: the world directions that are right and up on the drawing. */
export interface View {
  readonly right: readonly [number, number, number];
  readonly up: readonly [number, number, number];
}

/** Elevation of the view of models that move in 3D: looking along +y, tilted down by 20°. */
const ELEVATION = (20 * Math.PI) / 180;

/** The view of each plane of motion: side (x–z), top (x–y), and elevated side for 3D models. */
export const VIEWS: Readonly<Record<"xz" | "xy" | "3d", View>> = {
  xz: { right: [1, 0, 0], up: [0, 0, 1] },
  xy: { right: [1, 0, 0], up: [0, 1, 0] },
  "3d": { right: [1, 0, 0], up: [0, Math.sin(ELEVATION), Math.cos(ELEVATION)] },
};

type Vec3 = readonly [number, number, number];

const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

/**
 * A world point on the drawing plane.
 *
 * @param view the view
 * @param p the point `[x, y, z]`
 * @returns `[u, v]`
 */
export function project(view: View, p: Vec3): Point {
  return [dot(view.right, p), dot(view.up, p)];
}

/**
 * How far a world point is from the viewer, along the view's direction (`up × right`): larger is farther.
 *
 * @param view the view
 * @param p the point
 * @returns its depth
 */
export function depth(view: View, p: Vec3): number {
  const [r, u] = [view.right, view.up];
  return dot([u[1] * r[2] - u[2] * r[1], u[2] * r[0] - u[0] * r[2], u[0] * r[1] - u[1] * r[0]], p);
}

/**
 * The convex hull of points (Andrew's monotone chain), counter-clockwise from the lowest-u point, without
 * collinear points.
 *
 * @param points the points
 * @returns the hull's corners
 */
export function convexHull(points: readonly Point[]): Point[] {
  const sorted = [...points].sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  if (sorted.length < 3) return sorted;
  const cross = (o: Point, a: Point, b: Point) =>
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const chain = (list: readonly Point[]) => {
    const out: Point[] = [];
    for (const p of list) {
      while (out.length >= 2 && cross(out[out.length - 2], out[out.length - 1], p) <= 1e-12) out.pop();
      out.push(p);
    }
    return out.slice(0, -1);
  };
  return [...chain(sorted), ...chain(sorted.reverse())];
}

const RIM_POINTS = 16;

/**
 * The outline of geom `g` of a frame under a view.
 *
 * @param geom the geom
 * @param frame the poses
 * @param g the geom's index
 * @param view the view
 * @returns its shape, or `undefined` for planes and the kinds that are not drawn
 */
export function projectGeom(geom: SceneGeom, frame: SceneFrame, g: number, view: View): Shape | undefined {
  const { pos, mat } = frame;
  const center: Vec3 = [pos[3 * g], pos[3 * g + 1], pos[3 * g + 2]];
  // Column k of the row-major geom_xmat is the geom's local axis k in world coordinates.
  const axis = (k: number): Vec3 => [mat[9 * g + k], mat[9 * g + 3 + k], mat[9 * g + 6 + k]];
  // The centre plus a sum of weighted axes, projected.
  const at = (...terms: [number, Vec3][]): Point => {
    const p: [number, number, number] = [...center];
    for (const [w, a] of terms) for (let i = 0; i < 3; i++) p[i] += w * a[i];
    return project(view, p);
  };
  const [s0, s1, s2] = geom.size;
  switch (geom.kind) {
    case "sphere":
      return { kind: "circle", center: at(), radius: s0 };
    case "capsule":
      return { kind: "segment", a: at([-s1, axis(2)]), b: at([s1, axis(2)]), radius: s0 };
    case "box": {
      const corners: Point[] = [];
      for (const i of [-1, 1]) {
        for (const j of [-1, 1]) {
          for (const k of [-1, 1]) corners.push(at([i * s0, axis(0)], [j * s1, axis(1)], [k * s2, axis(2)]));
        }
      }
      return { kind: "polygon", points: convexHull(corners) };
    }
    case "cylinder": {
      const rims: Point[] = [];
      for (const end of [-s1, s1]) {
        for (let k = 0; k < RIM_POINTS; k++) {
          const t = (2 * Math.PI * k) / RIM_POINTS;
          rims.push(at([end, axis(2)], [s0 * Math.cos(t), axis(0)], [s0 * Math.sin(t), axis(1)]));
        }
      }
      return { kind: "polygon", points: convexHull(rims) };
    }
    case "ellipsoid":
      // Projection is linear: the semi-axes project without the centre.
      return ellipse(
        at(),
        [0, 1, 2].map((k) => {
          const [x, y, z] = axis(k);
          return project(view, [x * geom.size[k], y * geom.size[k], z * geom.size[k]]);
        }),
      );
    default:
      return undefined;
  }
}

/**
 * The projection of an ellipsoid: the image of the unit sphere under the 2×3 map whose columns are the
 * projected semi-axes is the ellipse of the 2×2 matrix A·Aᵀ; its eigenvectors are the drawn semi-axes.
 */
function ellipse(center: Point, columns: readonly Point[]): Shape {
  const a = columns.reduce((s, c) => s + c[0] * c[0], 0);
  const b = columns.reduce((s, c) => s + c[0] * c[1], 0);
  const c = columns.reduce((s, c) => s + c[1] * c[1], 0);
  const mean = (a + c) / 2;
  const spread = Math.hypot((a - c) / 2, b);
  const angle = Math.atan2(2 * b, a - c) / 2;
  const [r1, r2] = [Math.sqrt(mean + spread), Math.sqrt(Math.max(0, mean - spread))];
  return {
    kind: "ellipse",
    center,
    major: [r1 * Math.cos(angle), r1 * Math.sin(angle)],
    minor: [-r2 * Math.sin(angle), r2 * Math.cos(angle)],
  };
}

/**
 * The bounding box of a shape.
 *
 * @param shape the shape
 * @returns `[uMin, vMin, uMax, vMax]`
 */
export function bounds(shape: Shape): [number, number, number, number] {
  switch (shape.kind) {
    case "segment": {
      const { a, b, radius: r } = shape;
      return [
        Math.min(a[0], b[0]) - r,
        Math.min(a[1], b[1]) - r,
        Math.max(a[0], b[0]) + r,
        Math.max(a[1], b[1]) + r,
      ];
    }
    case "circle": {
      const { center: [u, v], radius: r } = shape;
      return [u - r, v - r, u + r, v + r];
    }
    case "polygon": {
      const us = shape.points.map((p) => p[0]), vs = shape.points.map((p) => p[1]);
      return [Math.min(...us), Math.min(...vs), Math.max(...us), Math.max(...vs)];
    }
    case "ellipse": {
      const { center: [u, v], major, minor } = shape;
      const du = Math.hypot(major[0], minor[0]), dv = Math.hypot(major[1], minor[1]);
      return [u - du, v - dv, u + du, v + dv];
    }
  }
}
