"""Measure how many passages are fragments rather than paragraphs (or whole parts of one).

Runs the real ingest pipeline, reading and splitting (`read_source` + `to_passages`, the
bundled model's tokenizer, the default 128-piece budget, 16-piece minimum), over the whole
General Debate corpus (1,938 statements, `ungdc_2015_2024/TXT`) and the 2020 Security
Council speeches (1,600 files, `unsc_2020_pires/speeches_txt_2020`). Embedding is not
needed for this figure and is not done: what a passage is depends only on reading and
splitting.

A passage is a fragment when it starts in lower case or does not end a sentence (. ! ? …
: ; or their Chinese forms, then any closing quotes, brackets or Markdown emphasis, or a
bracketed citation after them: `…of all.” (A/70/PV.3, p. 4)`). Fragments are also counted
apart when the split forced them: a part that ends inside a sentence longer than the
budget, and the part after it, which starts where the cut fell. Also printed: the share
of General Debate passages that carry a country.

    python scripts/measure_fragments.py [--corpus ../shared/corpus] [--examples 5]

Exits 1 when the fragment share over both corpora is above 0.5 % or the General Debate
country share is below 99.5 %.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

from diplosearch.embed.base import load_tokenizer
from diplosearch.embed.models import default_model_path
from diplosearch.ingest.documents import to_passages
from diplosearch.ingest.sources import discover, read_source

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
CORPORA = {"General Debate 2015-2024": "ungdc_2015_2024/TXT",
           "Security Council speeches 2020": "unsc_2020_pires/speeches_txt_2020"}
TARGET_FRAGMENTS = 0.005
TARGET_COUNTRY = 0.995
_END = re.compile(r"[.!?…:;。！？][\"'”’»“)\]*_]*(?:\s*\([^()]{1,80}\))?$")


def is_fragment(text: str) -> bool:
    text = text.strip()
    return text[:1].islower() or not _END.search(text)


def measure(folder: Path, count, examples: list) -> dict[str, int]:
    tally = {"files": 0, "passages": 0, "fragments": 0, "forced": 0, "country": 0}
    for file in discover([folder]):
        passages = to_passages(read_source(file), count, 128, 16)
        tally["files"] += 1
        tally["passages"] += len(passages)
        tally["country"] += sum(1 for p in passages if p.affiliation)
        for before, p in zip([None, *passages], passages):
            if not is_fragment(p.text):
                continue
            tally["fragments"] += 1
            # Cut by the budget: a part that stops mid-sentence with more parts after it,
            # or the part that goes on from such a cut.
            cut = (p.part < p.parts and not _END.search(p.text.strip())) or (
                before is not None and p.part > 1 and not _END.search(before.text.strip()))
            tally["forced"] += cut
            if not cut:
                examples.append((file.key, p.paragraph, p.part, p.parts, p.text))
    return tally


def _share(n: int, total: int) -> str:
    return f"{n}/{total} = {n / total:.2%}" if total else "0/0"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--examples", type=int, default=5, help="fragments shown per corpus")
    args = parser.parse_args()
    tokenizer = load_tokenizer(default_model_path(), None)

    def count(texts):
        return [len(e.ids) for e in tokenizer.encode_batch(list(texts), add_special_tokens=False)]

    total = {"passages": 0, "fragments": 0, "forced": 0}
    gd = None
    rng = random.Random(13)
    for name, rel in CORPORA.items():
        started, examples = time.perf_counter(), []
        tally = measure(args.corpus / rel, count, examples)
        for key in total:
            total[key] += tally[key]
        gd = tally if gd is None else gd
        print(f"{name}: {tally['files']} files, {tally['passages']} passages, "
              f"fragments {_share(tally['fragments'], tally['passages'])} "
              f"({tally['forced']} forced by a sentence over the budget), "
              f"with a country {_share(tally['country'], tally['passages'])} "
              f"[{time.perf_counter() - started:.0f} s]")
        for key, para, part, parts, text in rng.sample(examples, min(args.examples, len(examples))):
            print(f"    {key} ¶{para} ({part}/{parts}): {text[:60]!r} … {text[-50:]!r}")
    share = total["fragments"] / total["passages"]
    country = gd["country"] / gd["passages"]
    print(f"\nBoth corpora: fragments {_share(total['fragments'], total['passages'])} "
          f"(target ≤ {TARGET_FRAGMENTS:.1%}); without those forced by the budget "
          f"{_share(total['fragments'] - total['forced'], total['passages'])}")
    print(f"General Debate passages with a country: {_share(gd['country'], gd['passages'])} "
          f"(target ≥ {TARGET_COUNTRY:.1%})")
    return 0 if share <= TARGET_FRAGMENTS and country >= TARGET_COUNTRY else 1


if __name__ == "__main__":
    sys.exit(main())
