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
  step that reaches the time limit where random actions get there.

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
        print(f"{task}: {len(record['transitions'])} transitions ({ends} ending), {path.stat().st_size} bytes")


if __name__ == "__main__":
    main(sys.argv[1:] or TASKS)
