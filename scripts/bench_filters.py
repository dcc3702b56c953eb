"""What forgiving country filters cost per search (issue 13, point 8).

Two figures:
1. Listing an index's distinct affiliations, which every country filter now does: one
   index seek per value (`retrieval.names.known_countries`) against a GROUP BY over the
   covering index, on an in-memory table shaped like `passages` with 100k and 1M rows
   and 200 values.
2. With --index NAME: `names.resolve` alone for an exact spelling, a short form and an ISO
   code, on that index (median of 200 calls).

    python scripts/bench_filters.py
    python scripts/bench_filters.py --index sc2020   # e.g. the 2020 speeches, any model
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import time

from diplosearch.retrieval.filters import make_filters
from diplosearch.retrieval.names import known_countries, resolve


def median_ms(fn, n: int = 5) -> float:
    fn()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def listing(rows: int) -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE passages (id INTEGER PRIMARY KEY, affiliation TEXT, text TEXT)")
    values = [f"Country {i:03d}" for i in range(200)] + [None]
    rnd = random.Random(0)
    db.executemany("INSERT INTO passages (affiliation, text) VALUES (?, ?)",
                   ((rnd.choice(values), "x" * 50) for _ in range(rows)))
    db.execute("CREATE INDEX passages_affiliation ON passages(affiliation COLLATE NOCASE)")
    seek = median_ms(lambda: known_countries(db))
    group = median_ms(lambda: db.execute(
        "SELECT affiliation FROM passages WHERE affiliation IS NOT NULL "
        "GROUP BY affiliation COLLATE NOCASE").fetchall())
    print(f"{rows:>9,} passages, 200 values: seek per value {seek:.2f} ms, GROUP BY {group:.1f} ms")


def on_index(name: str) -> None:
    import diplosearch as ds

    idx = ds.open_index(name)
    print(f"index {name}: {len(known_countries(idx.db))} distinct affiliations")
    for value in ("Russian Federation", "Russia", "USA"):
        filters = make_filters(country=value)
        ms = median_ms(lambda: resolve(idx.db, filters, name), n=200)
        print(f"  resolve({value!r}): {ms:.2f} ms -> {resolve(idx.db, filters, name).country}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", help="also time resolving on this index")
    args = parser.parse_args()
    for rows in (100_000, 1_000_000):
        listing(rows)
    if args.index:
        on_index(args.index)


if __name__ == "__main__":
    main()
