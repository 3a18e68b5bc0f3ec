"""Renders N seeded scenes of the tiny model's generator (model-repository/tiny/training/scenes.py) as raw 64x64 RGB
bytes (N x 64 x 64 x 3, row-major), for the benchmark's tiny-embedder vector set. Usage:
    /usr/bin/python3 retrieval-service/benchmark/scene_pixels.py N SEED OUT"""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "model-repository", "tiny", "training"))
import scenes  # noqa: E402


def main():
    count, seed, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    with open(out, "wb") as file:
        for _ in range(count):
            file.write(scenes.render(scenes.random_scene(rng)).tobytes())
    elapsed = time.perf_counter() - start
    print(f"{count} scenes in {elapsed:.1f} s = {count / elapsed:.0f} scenes/s", file=sys.stderr)


if __name__ == "__main__":
    main()
