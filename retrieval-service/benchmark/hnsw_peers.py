"""HNSW peers for VectorIndexBenchmarkTests: faiss (IndexHNSWFlat) and hnswlib on the vectors the Java harness
wrote, with the same M / efConstruction / efSearch, measured the same way (build with every core, then one query at
a time on one thread). Prints one JSON object. Run with Debian's python3 (python3-faiss, python3-hnswlib)."""
import json
import sys
import time

import numpy as np


def load(directory):
    meta = json.load(open(f"{directory}/meta.json"))
    n, q, d, k = meta["size"], meta["queries"], meta["dim"], meta["k"]
    base = np.fromfile(f"{directory}/base.f32", dtype="<f4").reshape(n, d)
    queries = np.fromfile(f"{directory}/queries.f32", dtype="<f4").reshape(q, d)
    truth = np.fromfile(f"{directory}/truth.i32", dtype="<i4").reshape(q, k)
    return meta, base, queries, truth


def measure(search, queries, truth, k):
    for query in queries[:20]:  # warm-up
        search(query)
    nanos, found = [], 0
    for query, expected in zip(queries, truth):
        start = time.perf_counter_ns()
        ids = search(query)
        nanos.append(time.perf_counter_ns() - start)
        found += len(set(int(i) for i in ids[:k]) & set(int(i) for i in expected))
    nanos.sort()

    def pct(p):
        return nanos[max(0, min(len(nanos) - 1, int(np.ceil(p / 100 * len(nanos))) - 1))] / 1e6

    return {"recall": found / (len(queries) * k), "p50_ms": pct(50), "p99_ms": pct(99)}


def run_faiss(base, queries, truth, m, ef_construction, efs, k, threads):
    import faiss
    faiss.omp_set_num_threads(threads)
    index = faiss.IndexHNSWFlat(base.shape[1], m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = ef_construction
    start = time.perf_counter()
    index.add(base)
    build = time.perf_counter() - start
    faiss.omp_set_num_threads(1)
    rows = []
    for ef in efs:
        index.hnsw.efSearch = ef
        row = measure(lambda query: index.search(query.reshape(1, -1), k)[1][0], queries, truth, k)
        rows.append({"ef": ef, **row})
    return {"name": f"faiss {faiss.__version__} IndexHNSWFlat", "build_s": build,
            "build_rate": len(base) / build, "searches": rows}


def run_hnswlib(base, queries, truth, m, ef_construction, efs, k, threads):
    import hnswlib
    index = hnswlib.Index(space="ip", dim=base.shape[1])
    index.init_index(max_elements=len(base), ef_construction=ef_construction, M=m, random_seed=42)
    start = time.perf_counter()
    index.add_items(base, np.arange(len(base)), num_threads=threads)
    build = time.perf_counter() - start
    index.set_num_threads(1)
    rows = []
    for ef in efs:
        index.set_ef(max(ef, k))
        row = measure(lambda query: index.knn_query(query.reshape(1, -1), k=k)[0][0], queries, truth, k)
        rows.append({"ef": ef, **row})
    return {"name": "hnswlib", "build_s": build, "build_rate": len(base) / build, "searches": rows}


def main():
    directory = sys.argv[1]
    meta, base, queries, truth = load(directory)
    args = (base, queries, truth, meta["m"], meta["ef_construction"], meta["candidates"], meta["k"], meta["threads"])
    print(json.dumps({"peers": [run_faiss(*args), run_hnswlib(*args)]}))


if __name__ == "__main__":
    main()
