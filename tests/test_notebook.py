"""examples/asking-the-record.ipynb, run top to bottom in a kernel from the test environment
(nbclient + ipykernel), so the example cannot rot; and the committed copy checked to be
the one scripts/make_notebook.py writes, with the outputs of a run."""

from __future__ import annotations

import importlib.util
import re

import nbformat
import pytest

from tests.conftest import REPO

NOTEBOOK = REPO / "examples" / "asking-the-record.ipynb"
MERCURY_CITE = "unsc_2019-09-25_csto_semerikov.txt ¶9"


def _maker():
    spec = importlib.util.spec_from_file_location("make_notebook", REPO / "scripts" / "make_notebook.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _text(cell) -> str:
    """Everything a reader sees under a cell, as text."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif "data" in out:
            parts.append(out.data.get("text/html") or out.data.get("text/plain", ""))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def executed(shared):
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:  # start from nothing: every output below comes from this run
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    return {cell.id: cell for cell in nb.cells}


def test_committed_notebook_is_the_generated_one_with_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert [(c.id, c.cell_type, c.source) for c in nb.cells] == \
        [(cid, kind, source) for cid, kind, source in _maker().CELLS], \
        "examples/ is stale: run python scripts/make_notebook.py"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    assert all(c.outputs for c in code)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]


@pytest.mark.model
def test_asks_the_mission_question(executed):
    assert MERCURY_CITE in _text(executed["ask"]) and "<mark>" in _text(executed["ask"])
    shown = _text(executed["show"])
    assert "¶8" in shown and "¶10" in shown and "Operation Mercury" in shown


@pytest.mark.model
def test_builds_and_filters_by_country_and_period(executed):
    assert re.search(r"29 speeches, \d+ passages", _text(executed["build"]))
    citations = re.findall(r"<td>(S/PV[^<]*)</td>", _text(executed["filter"]))
    # one hit per paragraph: Germany's two statements (one one-line paragraph each) give two
    assert len(citations) == 2 and all(c.endswith("(Germany)") for c in citations)
    periods = _text(executed["filter-period"])
    assert periods.index("2020-03-10 S/PV.8742") < periods.index("2020-09-15 S/PV.8759")


@pytest.mark.model
def test_compares_positions_with_a_table_and_a_plot(executed):
    assert "affiliation" in _text(executed["compare"]) and "Germany" in _text(executed["compare"])
    table = _text(executed["positions"])
    assert "S/PV.8742" in table and "S/PV.8759" in table
    assert any("image/png" in out.get("data", {}) for out in executed["plot"].outputs)
