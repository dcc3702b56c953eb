#!/usr/bin/env python3
"""Write examples/asking-the-record.ipynb and execute it, so every output in it was produced
by running it (tests/test_notebook.py runs it again, top to bottom).

Usage:
  python scripts/make_notebook.py            # write and execute (needs the test extra)
  python scripts/make_notebook.py --no-run   # write the cells only
"""

from __future__ import annotations

import argparse
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = REPO / "examples" / "asking-the-record.ipynb"

# (cell id, kind, source). Ids let the test find a cell however the notebook grows.
CELLS = [
    ("intro", "markdown", """\
# Asking the record

Three uses of diplosearch from Python, on real UN records:

1. **Ask** the question diplosearch was built for over the bundled default index, and read
   the answer in its place in the record.
2. **Build** an index from a folder of the shared corpora (two Security Council meetings on
   Afghanistan in 2020) and filter it by country and period.
3. **Compare** positions: the best passage of each country, as a DataFrame, and one plot.

Every output below was produced by running the notebook (`scripts/make_notebook.py`); the
test suite runs it again, top to bottom. The corpora are read from `../shared/corpus`,
beside the repository."""),
    ("setup", "code", """\
from pathlib import Path
import tempfile

import diplosearch as ds

REPO = Path.cwd().resolve().parent          # the notebook runs from examples/
SHARED = REPO.parent / "shared" / "corpus"
QUESTION = "what measures target foreign terrorist fighters"
ds.open_index()"""),
    ("ask-md", "markdown", """\
## 1. Ask the mission question

`ds.search` opens the bundled default index (a slice of Security Council and General
Assembly records). Each hit carries its citation; `highlight=True` marks its
best-matching sentence."""),
    ("ask", "code", """\
hits = ds.search(QUESTION, k=5, highlight=True)
hits"""),
    ("show-md", "markdown", """\
The CSTO statement of 25 September 2019 is among the answers. `show` puts a passage back
in its document, with the paragraphs around it: paragraph 9 goes on to describe
Operation Mercury."""),
    ("show", "code", """\
mercury = next(h for h in hits if h.source == "unsc_2019-09-25_csto_semerikov.txt")
print(mercury.citation, "\\n")
for number, text in ds.open_index().show(mercury.id, context=1).paragraphs:
    print(f"¶{number}", text, "\\n")"""),
    ("build-md", "markdown", """\
## 2. Build an index from a folder, then filter it

The 2020 Security Council speeches come one file per statement, with a metadata table
that gives each one's date and country. Two meetings on Afghanistan, six months apart,
make a small index that builds in seconds."""),
    ("build", "code", """\
SPEECHES = SHARED / "unsc_2020_pires" / "speeches_txt_2020"
MEETINGS = ("SPV.8742_", "SPV.8759_")       # 10 March and 15 September 2020
files = sorted(f for f in SPEECHES.iterdir() if f.name.startswith("UNSC_2020_")
               and any(m in f.name for m in MEETINGS))
idx, report = ds.build_index(files, Path(tempfile.mkdtemp()) / "afghanistan-2020")
print(f"{len(files)} speeches, {report.passages_embedded} passages")
facets = idx.facets()
facets["dates"], list(facets["countries"])[:8]"""),
    ("filter", "code", """\
ASK = "peace negotiations between the Government and the Taliban"
idx.search(ASK, k=3, country="Germany", highlight=True)"""),
    ("filter-period", "code", """\
# The same country in each period: its best sentence in March, then in September
for period in [{"until": "2020-03"}, {"since": "2020-09"}]:
    hit = idx.search(ASK, k=1, country="Germany", highlight=True, **period)[0]
    start, end = hit.highlights[0]
    print(hit.date, hit.citation, "\\n   ", hit.text[start:end], "\\n")"""),
    ("compare-md", "markdown", """\
## 3. Compare positions

`group_by="country"` keeps the best passage of each country, side by side, as a DataFrame.
`positions` (the web page's *positions over time* view) does it per meeting, or per year."""),
    ("compare", "code", """\
by_country = idx.search(ASK, k=10, group_by="country", mode="semantic")
by_country.to_frame()[["affiliation", "date", "score", "citation"]]"""),
    ("positions", "code", """\
table = ds.positions(idx, ASK, by="meeting", countries=6, mode="semantic")
table.to_frame().pivot(index="country", columns="period", values="citation")"""),
    ("plot", "code", """\
import pandas as pd

top = idx.search(ASK, k=40, mode="semantic").to_frame()
counts = pd.crosstab(top["affiliation"], top["date"])
ax = counts.loc[counts.sum(axis=1).sort_values().index].plot.barh(
    stacked=True, figsize=(7, 5), title="Who spoke to the question: top 40 passages")
ax.set_xlabel("passages among the top 40")
ax.set_ylabel("")
ax.legend(title="meeting of");"""),
]


def build():
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    make = {"code": new_code_cell, "markdown": new_markdown_cell}
    nb = new_notebook(cells=[make[kind](source, id=cid) for cid, kind, source in CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.validate(nb)
    return nb


def execute(nb, timeout: int = 600):
    """Run `nb` top to bottom in a fresh kernel from this environment, in examples/."""
    from nbclient import NotebookClient

    NOTEBOOK.parent.mkdir(exist_ok=True)
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    return nb


def main() -> int:
    import nbformat

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-run", action="store_true", help="write the cells without outputs")
    args = parser.parse_args()
    nb = build()
    if not args.no_run:
        execute(nb)
    NOTEBOOK.parent.mkdir(exist_ok=True)
    nbformat.write(nb, NOTEBOOK)
    print(f"wrote {NOTEBOOK.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
