"""The Council President's own statements carry the President's name from the record's
cover, so `--speaker Dang` finds them (issue 20: it gave "No passages found")."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from diplosearch.cli import app


def test_the_president_is_found_by_name(shared):
    record = shared / "corpus/unsc_2020_pires/speeches_pdf/S_PV.8700_E.pdf"
    runner = CliRunner()
    built = runner.invoke(app, ["index", "build", str(record), "--name", "s8700", "--model",
                                "hashing", "--no-multilingual", "--no-progress"])
    assert built.exit_code == 0, built.output
    out = runner.invoke(app, ["search", "the situation in the Middle East", "-i", "s8700",
                              "--speaker", "Dang", "--doc", "S/PV.8700", "-f", "json"])
    hits = json.loads(out.stdout)
    assert hits and {(h["speaker"], h["affiliation"], h["role"]) for h in hits} == {
        ("The President (Mr. Dang)", "Viet Nam", "President")}
    assert "— The President (Mr. Dang) (Viet Nam)" in hits[0]["citation"]
