"""HNSW peers for VectorIndexBenchmarkTests, on the exact vectors, queries and exact top-k the Java harness wrote
(PeerVectorFiles: base.fvecs, queries.fvecs, truth.ivecs, meta.json) and with the same M / efConstruction / ef:

- faiss IndexHNSWFlat (float32 graph, like Lucene's `none`);
- faiss IndexHNSWSQ with 8-bit scalar quantization inside IndexRefineFlat, which re-ranks the ef candidates by the
  exact float dot product (like Lucene's `int8` + rescore, the service's default);
- hnswlib (float32).

Measured like the Java side: build with meta["build_threads"] threads, then one query at a time on one thread
(OpenMP and hnswlib set to 1 thread), 20 warm-up queries, recall@k against truth.ivecs. Memory = growth of the
serialized index (vectors + graph, what the peer holds in RAM), as faiss's
serialize_index and hnswlib's save_index write it.
Prints one JSON object on stdout.

    /usr/bin/python3 hnsw_peers.py DIR            # run the peers
    /usr/bin/python3 hnsw_peers.py --check DIR    # describe the files as read (the round-trip test)

Debian's python3 with python3-numpy, python3-faiss (1.7.3) and python3-hnswlib."""
from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

Search = Callable[[np.ndarray], np.ndarray]


def read_vecs(path: Path, dtype: str) -> np.ndarray:
    """Rows of a TEXMEX .fvecs ('<f4') or .ivecs ('<i4') file: per row an int32 dimension, then the values."""
    raw = np.fromfile(path, dtype="<i4")
    if raw.size == 0:
        return np.zeros((0, 0), dtype=dtype)
    dim = int(raw[0])
    if dim <= 0 or raw.size % (dim + 1) != 0:
        raise ValueError(f"{path}: {raw.size} words do not split into rows of 1 + {dim}")
    rows = raw.reshape(-1, dim + 1)
    if not (rows[:, 0] == dim).all():
        raise ValueError(f"{path}: rows of different dimensions")
    return np.ascontiguousarray(rows[:, 1:]).view(dtype)


def load(directory: Path) -> tuple[dict[str, Any], np.ndarray, np.ndarray, np.ndarray]:
    meta = json.loads((directory / "meta.json").read_text())
    base = read_vecs(directory / "base.fvecs", "<f4")
    queries = read_vecs(directory / "queries.fvecs", "<f4")
    truth = read_vecs(directory / "truth.ivecs", "<i4")
    expected = {"base": (meta["size"], meta["dim"]), "queries": (meta["queries"], meta["dim"]),
                "truth": (meta["queries"], meta["k"])}
    for name, array in (("base", base), ("queries", queries), ("truth", truth)):
        if array.shape != expected[name]:
            raise ValueError(f"{name}: shape {array.shape}, meta.json says {expected[name]}")
    return meta, base, queries, truth


def percentile(sorted_nanos: Sequence[int], p: float) -> float:
    """The same nearest-rank percentile as the Java harness, in ms."""
    index = max(0, min(len(sorted_nanos) - 1, int(np.ceil(p / 100 * len(sorted_nanos))) - 1))
    return sorted_nanos[index] / 1e6


def recall(found: Sequence[Sequence[int]], truth: np.ndarray, k: int) -> float:
    hits = sum(len({int(i) for i in ids[:k]} & {int(i) for i in expected}) for ids, expected in zip(found, truth))
    return hits / (len(truth) * k)


def measure(search: Search, queries: np.ndarray, truth: np.ndarray, k: int) -> dict[str, float]:
    for query in queries[:20]:  # warm-up
        search(query)
    nanos: list[int] = []
    found: list[np.ndarray] = []
    for query in queries:
        start = time.perf_counter_ns()
        found.append(search(query))
        nanos.append(time.perf_counter_ns() - start)
    nanos.sort()
    return {"recall": recall(found, truth, k), "p50_ms": percentile(nanos, 50), "p99_ms": percentile(nanos, 99)}


def built(name: str, build: Callable[[], Any], base: np.ndarray) -> tuple[Any, dict[str, Any]]:
    start = time.perf_counter()
    index = build()
    seconds = time.perf_counter() - start
    return index, {"name": name, "build_s": seconds, "build_rate": len(base) / seconds}


def faiss_bytes(index: Any) -> int:
    import faiss
    return int(faiss.serialize_index(index).nbytes)


def hnswlib_bytes(index: Any) -> int:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "index.bin"
        index.save_index(str(path))
        return path.stat().st_size


def run_faiss_flat(base: np.ndarray, queries: np.ndarray, truth: np.ndarray, meta: dict[str, Any]) -> dict[str, Any]:
    import faiss

    def build() -> Any:
        faiss.omp_set_num_threads(meta["build_threads"])
        index = faiss.IndexHNSWFlat(base.shape[1], meta["m"], faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = meta["ef_construction"]
        index.add(base)
        return index

    index, result = built(f"faiss {faiss.__version__} HNSWFlat", build, base)
    result["memory_mib"] = faiss_bytes(index) / 2**20
    faiss.omp_set_num_threads(1)
    k = meta["k"]
    rows = []
    for ef in meta["efs"]:
        index.hnsw.efSearch = ef
        rows.append({"ef": ef, **measure(lambda q: index.search(q.reshape(1, -1), k)[1][0], queries, truth, k)})
    return {**result, "searches": rows}


def run_faiss_sq8(base: np.ndarray, queries: np.ndarray, truth: np.ndarray, meta: dict[str, Any]) -> dict[str, Any]:
    import faiss

    def build() -> Any:
        faiss.omp_set_num_threads(meta["build_threads"])
        hnsw = faiss.IndexHNSWSQ(base.shape[1], faiss.ScalarQuantizer.QT_8bit, meta["m"], faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = meta["ef_construction"]
        refine = faiss.IndexRefineFlat(hnsw)  # keeps the float vectors for the re-ranking
        refine.train(base)  # the SQ's per-dimension ranges
        refine.add(base)
        return refine, hnsw

    (index, hnsw), result = built(f"faiss {faiss.__version__} HNSW SQ8 + refine", build, base)
    # The refine stage's float copy (4 bytes/dimension) plus the SQ8 HNSW index.
    result["memory_mib"] = (faiss_bytes(hnsw) + base.nbytes) / 2**20
    faiss.omp_set_num_threads(1)
    k = meta["k"]
    rows = []
    for ef in meta["efs"]:
        # As Lucene's rescoring: the graph explores ef candidates, all ef are re-ranked by the float dot product.
        hnsw.hnsw.efSearch = ef
        index.k_factor = max(1.0, ef / k)
        rows.append({"ef": ef, **measure(lambda q: index.search(q.reshape(1, -1), k)[1][0], queries, truth, k)})
    return {**result, "searches": rows}


def run_hnswlib(base: np.ndarray, queries: np.ndarray, truth: np.ndarray, meta: dict[str, Any]) -> dict[str, Any]:
    import hnswlib

    def build() -> Any:
        index = hnswlib.Index(space="ip", dim=base.shape[1])
        index.init_index(max_elements=len(base), ef_construction=meta["ef_construction"], M=meta["m"],
                         random_seed=42)
        index.add_items(base, np.arange(len(base)), num_threads=meta["build_threads"])
        return index

    index, result = built(f"hnswlib {package_version('hnswlib')}", build, base)
    result["memory_mib"] = hnswlib_bytes(index) / 2**20
    index.set_num_threads(1)
    k = meta["k"]
    rows = []
    for ef in meta["efs"]:
        index.set_ef(max(ef, k))
        rows.append({"ef": ef, **measure(lambda q: index.knn_query(q.reshape(1, -1), k=k)[0][0], queries, truth, k)})
    return {**result, "searches": rows}


def package_version(name: str) -> str:
    import importlib.metadata
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def check(directory: Path) -> dict[str, Any]:
    """What the loader read: shapes, a few values and sums, for the Java round-trip test to compare."""
    meta, base, queries, truth = load(directory)
    return {"meta": meta, "base_shape": list(base.shape), "queries_shape": list(queries.shape),
            "truth_shape": list(truth.shape), "base_first": base[0].tolist(), "base_last": base[-1].tolist(),
            "queries_sum": float(queries.astype(np.float64).sum()), "truth": truth.tolist()}


def main(argv: list[str]) -> None:
    if len(argv) == 3 and argv[1] == "--check":
        print(json.dumps(check(Path(argv[2]))))
        return
    meta, base, queries, truth = load(Path(argv[1]))
    peers = [run(base, queries, truth, meta) for run in (run_faiss_flat, run_faiss_sq8, run_hnswlib)]
    print(json.dumps({"peers": peers, "numpy": np.__version__, "search_threads": 1,
                      "build_threads": meta["build_threads"]}))


if __name__ == "__main__":
    main(sys.argv)
