"""Words that lost a ligature's letters in PDF extraction ("sancons") are written whole,
in the one bundled statement that shows the fault, and nowhere else."""

from diplosearch.embed.models import HashingEmbedder
from diplosearch.ingest import ligatures, textclean
from diplosearch.ingest.documents import to_passages
from diplosearch.ingest.sources import SourceFile, read_source
from tests.conftest import SHARED

GD_2024 = SHARED / "corpus" / "ungdc_2015_2024" / "TXT" / "Session 79 - 2024"
DAMAGED = GD_2024 / "IRN_79_2024.txt"


def test_a_statement_that_lost_its_ligatures_is_repaired():
    raw = DAMAGED.read_text(encoding="utf-8")
    fixes = ligatures.repairs(raw)
    assert fixes["sancons"] == "sanctions" and fixes["Sancons"] == "Sanctions"
    assert fixes["vicms"] == "victims" and fixes["internaonal"] == "international"
    assert "aer" not in fixes   # "ft" lost only twice: not enough to put it back
    start = raw.index("well-deserved elecon")
    clean = ligatures.repair(textclean.clean(raw[start:start + 60], start), fixes)
    assert clean.text.startswith("well-deserved election")
    assert len(clean.offsets) == len(clean.text)
    # the letters put back point into the source word, so a citation still finds it
    word = clean.text.index("election")
    source_start, source_end = clean.source_span(word, word + len("election"))
    assert raw[source_start:source_end] == "elecon"


def test_statements_without_the_fault_are_not_touched():
    for path in sorted(GD_2024.glob("*.txt")):
        if path != DAMAGED:
            assert ligatures.repairs(path.read_text(encoding="utf-8")) == {}, path.name
    assert ligatures.repairs("The arm of the moon, and the boom of the theft " * 5) == {}


def test_the_repaired_words_reach_the_passages():
    passages = to_passages(read_source(SourceFile(DAMAGED, DAMAGED.name)),
                           HashingEmbedder().count_tokens, 128)
    text = " ".join(p.text for p in passages)
    assert "sancons" not in text.lower() and text.count("sanctions") >= 8
