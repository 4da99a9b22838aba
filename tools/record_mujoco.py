"""Record reference transitions of Gymnasium's MuJoCo v5 tasks for the conformance tests.

Run by hand, outside the library's runtime, in a Python environment with Gymnasium 1.3.0 and MuJoCo 3.14.0:

    python3 -m venv /tmp/mj && /tmp/mj/bin/pip install "gymnasium[mujoco]==1.3.0" mujoco==3.14.0
    /tmp/mj/bin/python tools/record_mujoco.py [TASK ...]

For each task it writes src/envs/mujoco/testdata/TASK.json holding

- "versions": the gymnasium and mujoco versions that made it;
- "model": the compiled model's sizes and the arrays that define its bodies, joints, geoms and actuators, so
  a test can compile this repository's MJCF and compare them value by value;
- "transitions": single steps, each from MuJoCo's full integration state (mj_getState with
  mjSTATE_INTEGRATION), the body positions and centres of mass of the last forward pass ("before": what a
  step reads besides the state), and the episode's step count before it, with the action and what Gymnasium
  returned:
  observation, reward, terminated, truncated. They come from episodes of random actions (a few of them
  outside the action bounds, which MuJoCo clamps), early, middle, near-terminal and terminal steps, and the
  step that reaches the time limit where random actions get there; then, for the tasks that terminate,
  one step from states just inside and just outside each healthy bound (PROBES; "episode" is negative and
  "probe" says which coordinate was placed where).

Every float is written with Python's repr, so the JSON holds the float64 values exactly.
"""

import json
import pathlib
import sys

import gymnasium as gym
import mujoco
import numpy as np

TASKS = [
    "HalfCheetah-v5",
    "Hopper-v5",
    "Walker2d-v5",
    "Ant-v5",
    "Humanoid-v5",
    "InvertedPendulum-v5",
    "InvertedDoublePendulum-v5",
    "Reacher-v5",
]

OUT = pathlib.Path(__file__).resolve().parent.parent / "src" / "envs" / "mujoco" / "testdata"

# Model arrays compared by the tests (all of them define the dynamics or what is observed).
MODEL_ARRAYS = [
    "qpos0",
    "body_parentid",
    "body_pos",
    "body_quat",
    "body_ipos",
    "body_iquat",
    "body_mass",
    "body_inertia",
    "jnt_type",
    "jnt_bodyid",
    "jnt_pos",
    "jnt_axis",
    "jnt_range",
    "jnt_limited",
    "jnt_stiffness",
    "jnt_solref",
    "jnt_solimp",
    "dof_damping",
    "dof_armature",
    "dof_frictionloss",
    "geom_type",
    "geom_bodyid",
    "geom_size",
    "geom_pos",
    "geom_quat",
    "geom_friction",
    "geom_condim",
    "geom_contype",
    "geom_conaffinity",
    "geom_solref",
    "geom_solimp",
    "geom_margin",
    "actuator_trntype",
    "actuator_trnid",
    "actuator_gear",
    "actuator_ctrlrange",
    "actuator_ctrllimited",
    "actuator_gainprm",
    "actuator_biasprm",
    "site_bodyid",
    "site_pos",
]

MODEL_OPTIONS = ["timestep", "gravity", "integrator", "cone", "jacobian", "solver", "iterations", "tolerance"]


def as_list(value):
    return np.asarray(value).tolist()


def model_record(model):
    record = {
        "nq": model.nq,
        "nv": model.nv,
        "nu": model.nu,
        "na": model.na,
        "nbody": model.nbody,
        "njnt": model.njnt,
        "ngeom": model.ngeom,
        "nsite": model.nsite,
        "body_names": [mujoco.mj_id2name(model, mujoco.mjtObj.mjOBJ_BODY, i) for i in range(model.nbody)],
        "geom_names": [mujoco.mj_id2name(model, mujoco.mjtObj.mjOBJ_GEOM, i) for i in range(model.ngeom)],
    }
    for name in MODEL_ARRAYS:
        record[name] = as_list(getattr(model, name))
    record["opt"] = {name: as_list(getattr(model.opt, name)) for name in MODEL_OPTIONS}
    return record


def full_state(model, data):
    spec = mujoco.mjtState.mjSTATE_INTEGRATION
    state = np.empty(mujoco.mj_stateSize(model, spec))
    mujoco.mj_getState(model, data, state, spec)
    return state.tolist()


# Probes: states whose next step ends just inside or just outside a bound that a task's termination reads.
# Each is (what the bound reads after the step, its bound, how a number x makes the state, a bracket of x):
# x is found by bisection so that the value after one zero-action step lands at the bound ± 0.002 and
# ± 0.02. The state is a reset's (seed 2000) with its velocities zeroed and the probe's settings, a list of
# (qpos or qvel, coordinate, value). Lower height bounds need the legs folded clear of the floor (Hopper,
# Walker2d), or a fall fast enough to press the body into the floor (Ant, whose torso sphere is larger
# than its lower bound, and Humanoid).
OFFSETS = (-0.02, -0.002, 0.002, 0.02)

_FOLDED = [("qpos", 3, -1.0), ("qpos", 4, -2.0), ("qpos", 5, -0.7)]
_FOLDED_BOTH = _FOLDED + [("qpos", 6, -1.0), ("qpos", 7, -2.0), ("qpos", 8, -0.7)]


def _at(field, index, extra=()):
    return lambda x: [(field, index, x), *extra]


def _fall(index, height):
    return lambda v: [("qpos", index, height), ("qvel", index, -v)]


def _tip_height(data):
    return data.site_xpos[0][2]


def _qpos(index):
    return lambda data: data.qpos[index]


def _qvel(index):
    return lambda data: data.qvel[index]


PROBES = {
    "Hopper-v5": [
        (_qpos(1), 0.7, _at("qpos", 1, _FOLDED), (0.5, 0.9)),
        (_qpos(2), 0.2, _at("qpos", 2), (0.0, 0.4)),
        (_qpos(2), -0.2, _at("qpos", 2), (-0.4, 0.0)),
        (_qvel(0), 100.0, _at("qvel", 0), (50.0, 150.0)),
        (_qvel(0), -100.0, _at("qvel", 0), (-150.0, -50.0)),
    ],
    "Walker2d-v5": [
        (_qpos(1), 0.8, _at("qpos", 1, _FOLDED_BOTH), (0.6, 1.0)),
        (_qpos(1), 2.0, _at("qpos", 1), (1.8, 2.2)),
        (_qpos(2), 1.0, _at("qpos", 2), (0.8, 1.2)),
        (_qpos(2), -1.0, _at("qpos", 2), (-1.2, -0.8)),
    ],
    "Ant-v5": [
        (_qpos(2), 0.2, _fall(2, 0.45), (10.0, 60.0)),
        (_qpos(2), 1.0, _at("qpos", 2), (0.8, 1.2)),
    ],
    "Humanoid-v5": [
        (_qpos(2), 1.0, _fall(2, 1.3), (0.0, 60.0)),
        (_qpos(2), 2.0, _at("qpos", 2), (1.8, 2.2)),
    ],
    "InvertedPendulum-v5": [
        (_qpos(1), 0.2, _at("qpos", 1), (0.0, 0.4)),
        (_qpos(1), -0.2, _at("qpos", 1), (-0.4, 0.0)),
    ],
    "InvertedDoublePendulum-v5": [(_tip_height, 1.0, _at("qpos", 1), (0.3, 0.9))],
}


def _probe_state(env, data, settings):
    env.reset(seed=2000)
    qpos, qvel = data.qpos.copy(), np.zeros_like(data.qvel)
    for field, index, value in settings:
        (qpos if field == "qpos" else qvel)[index] = value
    env.unwrapped.set_state(qpos, qvel)


def _after_step(env, data, settings, read):
    _probe_state(env, data, settings)
    env.step(np.zeros(env.action_space.shape, dtype=np.float32))
    return read(data)


def _solve(env, data, read, target, make, bracket):
    """x in the bracket whose state's value after one step is the target, by bisection."""
    lo, hi = bracket
    f_lo = _after_step(env, data, make(lo), read) - target
    f_hi = _after_step(env, data, make(hi), read) - target
    if f_lo * f_hi > 0:
        raise ValueError(f"no crossing of {target} in {bracket}: {f_lo + target}, {f_hi + target}")
    for _ in range(60):
        mid = (lo + hi) / 2
        f_mid = _after_step(env, data, make(mid), read) - target
        if f_mid * f_lo > 0:
            lo, f_lo = mid, f_mid
        else:
            hi = mid
    return (lo + hi) / 2


def record_probes(task, env, model, data):
    """One zero-action step from each probe state of PROBES[task], ending at its bound ± the offsets."""
    transitions = []
    for read, bound, make, bracket in PROBES.get(task, []):
        for offset in OFFSETS:
            settings = make(_solve(env, data, read, bound + offset, make, bracket))
            _probe_state(env, data, settings)
            action = np.zeros(env.action_space.shape, dtype=np.float32)
            before = full_state(model, data)
            frames = {"xpos": data.xpos.flatten().tolist(), "xipos": data.xipos.flatten().tolist()}
            elapsed = env._elapsed_steps
            observation, reward, terminated, truncated, _ = env.step(action)
            reached = read(data)
            assert abs(reached - (bound + offset)) < abs(offset) / 2, (task, bound, offset, reached)
            transitions.append({
                "episode": -1 - len(transitions),
                "probe": f"ends at {reached!r}, bound {bound!r}",
                "steps": int(elapsed),
                "state": before,
                "before": frames,
                "action": action.astype(np.float64).tolist(),
                "observation": np.asarray(observation, dtype=np.float64).tolist(),
                "reward": float(reward),
                "terminated": bool(terminated),
                "truncated": bool(truncated),
            })
    return transitions


def record_task(task, episodes=6, per_episode=8):
    env = gym.make(task)
    base = env.unwrapped
    model, data = base.model, base.data
    rng = np.random.default_rng(20261202)
    low, high = env.action_space.low.astype(np.float64), env.action_space.high.astype(np.float64)
    transitions = []
    for episode in range(episodes):
        env.reset(seed=1000 + episode)
        # Steps to keep: the first two, a spread of others, and every step from the last few before the end.
        chosen = set([0, 1]) | set(int(t) for t in rng.integers(2, env.spec.max_episode_steps, per_episode))
        steps = []
        t = 0
        while True:
            action = rng.uniform(low, high)
            if rng.random() < 0.05:
                action = action * 1.5  # outside the bounds: MuJoCo clamps the control, the cost does not
            action = action.astype(np.float32)
            before = full_state(model, data)
            # What the step reads from the last forward pass besides the state (Ant's torso, Humanoid's
            # centre of mass, Reacher's fingertip): body frames and centres of mass, as MuJoCo left them.
            frames = {"xpos": data.xpos.flatten().tolist(), "xipos": data.xipos.flatten().tolist()}
            elapsed = env._elapsed_steps if hasattr(env, "_elapsed_steps") else t
            observation, reward, terminated, truncated, _ = env.step(action)
            steps.append({
                "steps": int(elapsed),
                "state": before,
                "before": frames,
                "action": action.astype(np.float64).tolist(),
                "observation": np.asarray(observation, dtype=np.float64).tolist(),
                "reward": float(reward),
                "terminated": bool(terminated),
                "truncated": bool(truncated),
            })
            t += 1
            if terminated or truncated:
                break
        last = len(steps) - 1
        for i, step in enumerate(steps):
            if i in chosen or i >= last - 2:
                transitions.append({"episode": episode, **step})
    transitions += record_probes(task, env, model, data)
    env.close()
    return {
        "task": task,
        "versions": {"gymnasium": gym.__version__, "mujoco": mujoco.__version__},
        "state_spec": "mjSTATE_INTEGRATION",
        "max_episode_steps": env.spec.max_episode_steps,
        "model": model_record(model),
        "init_qpos": as_list(base.init_qpos),
        "init_qvel": as_list(base.init_qvel),
        "transitions": transitions,
    }


def main(tasks):
    OUT.mkdir(parents=True, exist_ok=True)
    for task in tasks:
        record = record_task(task)
        path = OUT / f"{task}.json"
        path.write_text(json.dumps(record, separators=(",", ":")) + "\n")
        ends = sum(1 for t in record["transitions"] if t["terminated"] or t["truncated"])
        probes = [t for t in record["transitions"] if "probe" in t]
        print(
            f"{task}: {len(record['transitions'])} transitions ({ends} ending), "
            f"{len(probes)} probes ({sum(t['terminated'] for t in probes)} terminating), "
            f"{path.stat().st_size} bytes"
        )


if __name__ == "__main__":
    main(sys.argv[1:] or TASKS)
