"""Recompute the TD3 paper's Table 1 from the learning curves its authors publish, and the same trials
taken run by run, for docs/results.md.

Fujimoto et al.'s repository (github.com/sfujim/TD3) keeps, under learning_curves/, the ten trials behind
each MuJoCo entry of the paper's Table 1: NumPy arrays of 201 evaluation means (every 5000 steps from step
0, 10 noise-free episodes each). Run by hand, with NumPy, on a checkout of that repository:

    python3 tools/td3_paper_table.py PATH/TO/TD3/learning_curves

For each task it prints:

- "table 1": the maximum over evaluations of the mean curve over the trials, the evaluation it is at, and
  the standard deviation over trials there (NumPy's default, over n); this gives the paper's numbers;
- "per trial": the mean ± sample standard deviation over trials of each trial's own maximum, and their
  range: what this project's rows across seeds compute;
- "last 10": the mean over trials of each trial's mean of its last 10 evaluations, and their range.
"""

import pathlib
import sys

import numpy as np

TASKS = {"HalfCheetah": "HalfCheetah", "Hopper": "Hopper", "Walker": "Walker2d", "Ant": "Ant"}


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: python3 tools/td3_paper_table.py PATH/TO/TD3/learning_curves")
    root = pathlib.Path(sys.argv[1])
    for folder, task in TASKS.items():
        files = sorted((root / folder).glob(f"TD3_{task}-v1_*.npy"))
        if not files:
            sys.exit(f"no TD3_{task}-v1_*.npy under {root / folder}")
        curves = np.stack([np.load(f) for f in files])
        mean_curve = curves.mean(axis=0)
        at = int(mean_curve.argmax())
        maxima = curves.max(axis=1)
        last10 = curves[:, -10:].mean(axis=1)
        print(
            f"{task}-v1, {len(files)} trials | table 1: {mean_curve[at]:.1f} ± {curves[:, at].std():.1f}"
            f" (evaluation {at}, step {at * 5000})"
            f" | per trial: {maxima.mean():.1f} ± {maxima.std(ddof=1):.1f}"
            f" ({maxima.min():.0f}–{maxima.max():.0f})"
            f" | last 10: {last10.mean():.1f} ({last10.min():.0f}–{last10.max():.0f})"
        )


if __name__ == "__main__":
    main()
