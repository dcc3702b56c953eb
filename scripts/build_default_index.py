#!/usr/bin/env python3
"""Build the bundled default index (indexes/default) from the committed corpus slice.

The slice lives in scripts/default_corpus/ so the build needs nothing outside the repo:
  - seed/: the founding CSTO statement (and a metadata sidecar from shared/seed/README.md)
  - unsc_2020/: two 2020 Security Council meetings (S/PV.8714 on the OSCE, S/PV.8723 on
    peacebuilding and sustaining peace), one file per speech, from shared/corpus/unsc_2020_pires
  - ungdc_2024/: twenty 2024 General Debate statements (CC0), from shared/corpus/ungdc_2015_2024
  - resolutions/: S/RES/1624 (2005) on incitement to terrorism, 1887 (2009) on nuclear
    non-proliferation, 2250 (2015) on youth, peace and security, from
    shared/corpus/unsc_resolutions_2005_2015

The index stores multilingual vectors too (the default with the bundled model), so the
default index answers questions in any UN language (README "Questions in any UN language").

Usage:
  python scripts/build_default_index.py                # rebuild indexes/default
  python scripts/build_default_index.py --copy-slice   # re-copy the slice from ../shared first
                                                       # (with metadata.jsonl from its tables)
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SLICE = REPO / "scripts" / "default_corpus"
SHARED = REPO.parent / "shared"
GD_COUNTRIES = ["USA", "RUS", "CHN", "FRA", "GBR", "IND", "BRA", "ZAF", "NGA", "KAZ", "TJK",
                "UKR", "IRN", "DEU", "JPN", "MEX", "EGY", "IDN", "TUR", "PAK"]
# Not S/RES/2178 (2014), the foreign-terrorist-fighter resolution itself: with it, its own
# paragraphs fill the top hits for the founding question and the demo shows only them.
RESOLUTIONS = ["S-RES-1624(2005).txt", "S-RES-1887(2009).txt", "S-RES-2250(2015).txt"]
# Not S/PV.8716 (terrorist acts, February 2020): its twenty-three statements on foreign
# terrorist fighters outrank the founding statement for the founding question (3rd in
# hybrid mode); the demo index is meant to show the founding answer among other genres.
MEETINGS = ("SPV.8714_", "SPV.8723_")
SEED_META = """{
  "speaker": "Mr. Semerikov",
  "affiliation": "Collective Security Treaty Organization",
  "role": "Secretary-General of the CSTO",
  "date": "2019-09-25",
  "body": "Security Council",
  "title": "Cooperation between the United Nations and regional and subregional organizations (CSTO, CIS, SCO)"
}
"""


def copy_slice() -> None:
    corpus = SHARED / "corpus"
    shutil.rmtree(SLICE, ignore_errors=True)
    (SLICE / "seed").mkdir(parents=True)
    shutil.copy(SHARED / "seed" / "unsc_2019-09-25_csto_semerikov.txt", SLICE / "seed")
    # The label names only "Mr. Semerikov"; shared/seed/README.md says who he speaks for.
    (SLICE / "seed" / "unsc_2019-09-25_csto_semerikov.meta.json").write_text(SEED_META)
    (SLICE / "unsc_2020").mkdir()
    for f in sorted((corpus / "unsc_2020_pires" / "speeches_txt_2020").iterdir()):
        if any(m in f.name for m in MEETINGS):
            shutil.copy(f, SLICE / "unsc_2020")
    (SLICE / "ungdc_2024").mkdir()
    for iso in GD_COUNTRIES:
        shutil.copy(corpus / "ungdc_2015_2024" / "TXT" / "Session 79 - 2024" / f"{iso}_79_2024.txt",
                    SLICE / "ungdc_2024")
    (SLICE / "resolutions").mkdir()
    res = corpus / "unsc_resolutions_2005_2015" / "Resolutions Textfiles Complete, 1946-2015 - Ohne Annex"
    for name in RESOLUTIONS:
        shutil.copy(res / name, SLICE / "resolutions")


def write_manifests() -> None:
    """Carry what the shared corpora's tables say about each copied file (date, topic,
    country, speaker, participant type, session) into a metadata.jsonl beside the copies,
    since the tables themselves stay in ../shared."""
    sys.path.insert(0, str(REPO / "src"))
    from diplosearch.ingest.corpora import corpus_metadata
    from diplosearch.ingest.metadata import FIELDS

    corpus = SHARED / "corpus"
    origins = {"unsc_2020": corpus / "unsc_2020_pires" / "speeches_txt_2020",
               "ungdc_2024": corpus / "ungdc_2015_2024" / "TXT" / "Session 79 - 2024"}
    for folder, origin in origins.items():
        rows = []
        for copy in sorted((SLICE / folder).glob("*.txt")):
            meta = corpus_metadata(origin / copy.name)
            rows.append({"file": copy.name, **{k: v for k, v in meta.items() if k in FIELDS}})
        (SLICE / folder / "metadata.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copy-slice", action="store_true", help="re-copy the slice from ../shared")
    parser.add_argument("--out", type=Path, default=REPO / "indexes" / "default")
    args = parser.parse_args()
    if args.copy_slice:
        copy_slice()
        write_manifests()
    sys.path.insert(0, str(REPO / "src"))
    from diplosearch.index import build_index

    sources = [SLICE / d for d in ("seed", "unsc_2020", "ungdc_2024", "resolutions")]
    # Build beside the target under another name, since build_index refuses to write to
    # the bundled location itself, then move it into place.
    staging = args.out.with_name(args.out.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    from diplosearch.embed.models import load_embedder

    # The bundled index is the fp32 reference that tests compare fresh vectors with: build it
    # with torch fp32, not with the faster int8 build default.
    idx, report = build_index(sources, staging, model=load_embedder(backend="torch"))
    idx.close()
    shutil.rmtree(args.out, ignore_errors=True)
    staging.rename(args.out)
    print(f"{args.out}: {report.indexed} documents, {report.passages_embedded} passages "
          f"in {report.seconds:.1f} s; skipped: {report.skipped or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
