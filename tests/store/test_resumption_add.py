"""`index add` of a meeting's `(Resumption N)` record reads the rule 39 invitations of the
meeting's first record when that record is already indexed (and unchanged), as a build
of both together does. Real records: S/PV.8699 invites Mr. Mardini (International
Committee of the Red Cross); its first resumption only says "I now give the floor to Mr.
Mardini"."""

from __future__ import annotations

import diplosearch as ds

PDFS = "corpus/unsc_2020_pires/speeches_pdf"


def mardini(idx) -> set:
    return {(h.affiliation, h.role) for h in idx.iter_passages() if h.speaker == "Mr. Mardini"}


def test_a_resumption_added_later_reads_the_indexed_first_records_invitations(shared, hashing):
    first = shared / PDFS / "S_PV.8699_E.pdf"
    resumption = shared / PDFS / "S_PV.8699(Resumption1)_E.pdf"
    idx, _ = ds.build_index([first], "first", model=hashing, multilingual=False)
    report = idx.add([first, resumption])         # the first record unchanged, not re-read
    assert len(report.unchanged) == 1 and len(report.added) == 1
    assert mardini(idx) == {("International Committee of the Red Cross", "Permanent Observer "
                             "of the International Committee of the Red Cross to the United Nations")}


def test_a_resumption_alone_names_no_one_it_was_not_told_of(shared, hashing):
    resumption = shared / PDFS / "S_PV.8699(Resumption1)_E.pdf"
    idx, _ = ds.build_index([resumption], "alone", model=hashing, multilingual=False)
    assert mardini(idx) == {(None, None)}
