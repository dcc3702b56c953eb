"""Metadata for the shared corpora, resolution paragraph numbers, and users' own
metadata manifests with their errors."""

import json

import pytest

from diplosearch.ingest.documents import to_passages
from diplosearch.embed.models import HashingEmbedder
from diplosearch.errors import NotFoundError, SourceError
from diplosearch.ingest.corpora import session_opening
from diplosearch.ingest.metadata import iso_date
from diplosearch.ingest.sources import SourceFile, read_source
from tests.conftest import SHARED

CORPUS = SHARED / "corpus"
RESOLUTIONS = CORPUS / "unsc_resolutions_2005_2015" / "Resolutions Textfiles Complete, 1946-2015 - Ohne Annex"


def read(path):
    return read_source(SourceFile(path, path.name))


def count(texts):
    return HashingEmbedder().count_tokens(texts)


def test_unsc_2020_speech_metadata_from_name_and_tsv():
    path = CORPUS / "unsc_2020_pires/speeches_txt_2020/UNSC_2020_SPV.8699Resumption1_spch012.txt"
    assert read(path).metadata == {
        "symbol": "S/PV.8699 (Resumption 1)", "body": "Security Council", "statement": "12",
        "date": "2020-01-10", "year": "2020", "topic": "Maintenance of international peace and security",
        "speaker": "Mr. Popolizio Bardales", "affiliation": "Peru", "participant": "Guest",
        "language": "English"}


def test_unsc_2020_president_gets_country_and_role_from_the_tsv():
    path = CORPUS / "unsc_2020_pires/speeches_txt_2020/UNSC_2020_SPV.8698_spch001.txt"
    first = to_passages(read(path), count, 128)[0]
    assert (first.speaker, first.affiliation, first.role, first.statement) == \
        ("The President (Mr. Dang)", "Viet Nam", "President", 1)   # named by the table


def test_general_debate_metadata_from_name_and_speakers_workbook():
    meta = read(CORPUS / "ungdc_2015_2024/TXT/Session 74 - 2019/RUS_74_2019.txt").metadata
    assert meta == {"body": "General Assembly", "session": "74", "year": "2019",
                    "date": "2019-09-17",      # the day the 74th session opened
                    "title": "General Debate, 74th session", "affiliation": "Russian Federation",
                    "speaker": "Mr. Sergey Lavrov", "role": "Minister for Foreign Affairs"}
    first = to_passages(read(CORPUS / "ungdc_2015_2024/TXT/Session 74 - 2019/RUS_74_2019.txt"),
                        count, 128)[0]
    assert (first.speaker, first.affiliation) == ("Mr. Sergey Lavrov", "Russian Federation")


@pytest.mark.parametrize("session, opened", [
    (70, "2015-09-15"), (73, "2018-09-18"), (74, "2019-09-17"), (77, "2022-09-13"),
    (78, "2023-09-05"), (79, "2024-09-10"), (57, None)])
def test_general_assembly_sessions_open_on_the_day_the_rules_give(session, opened):
    day = session_opening(session)
    assert (day.isoformat() if day else None) == opened


def test_general_debate_statements_have_a_date_year_and_session_in_hits_and_tables(
        hashing, tmp_path):
    import diplosearch as ds

    folder = CORPUS / "ungdc_2015_2024/TXT"
    files = [folder / "Session 74 - 2019/RUS_74_2019.txt", folder / "Session 79 - 2024/BRA_79_2024.txt"]
    idx, _ = ds.build_index(files, "gd", model=hashing)
    hits = idx.search("climate", k=50)
    assert {(h.doc, h.date, h.year, h.session) for h in hits} == {
        ("RUS_74_2019.txt", "2019-09-17", 2019, 74), ("BRA_79_2024.txt", "2024-09-10", 2024, 79)}
    frame = hits.to_frame()
    assert set(frame.groupby("year")["session"].first().items()) == {(2019, 74), (2024, 79)}
    idx.export(tmp_path / "gd.jsonl")
    row = json.loads((tmp_path / "gd.jsonl").read_text().splitlines()[0])
    assert (row["date"], row["year"], row["session"]) == ("2019-09-17", 2019, 74)
    assert list(row)[3:6] == ["date", "year", "session"]


def test_a_name_that_only_looks_like_the_general_debate_is_left_alone(tmp_path):
    path = tmp_path / "ABC_12_2020.txt"          # session 12 was not held in 2020
    path.write_text("Some notes.")
    assert read(path).metadata == {}


def test_resolution_paragraphs_are_numbered_preambular_and_operative():
    source = read(RESOLUTIONS / "S-RES-2178(2014).txt")
    assert source.metadata == {"symbol": "S/RES/2178 (2014)", "body": "Security Council",
                               "year": "2014", "meeting": "7272", "date": "2014-09-24"}
    passages = to_passages(source, count, 128)
    def section(start):
        (found,) = [p.section for p in passages if p.text.startswith(start)]
        return found

    op6 = [p for p in passages if p.section == "OP 6"]
    assert op6[0].text.startswith("6. Recalls its decision, in resolution 1373 (2001)")
    assert [p.text[:3] for p in op6[1:]] == ["(a)", "(b)", "(c)"]   # subparagraphs of OP 6
    # The opening, and a heading, lead into the paragraph under them, on a line of their own.
    assert section("The Security Council,\nReaffirming that terrorism in all forms") == "PP 1"
    assert section("Acting under Chapter VII of the Charter") == "PP 23"
    assert section("International Cooperation\n11. Calls upon Member States") == "OP 11"
    assert not [p for p in passages if p.text.strip() == "International Cooperation"]
    assert not [p for p in passages if p.text.startswith("11. ")]
    # A paragraph cut by a page header goes on after it, and no header is a passage.
    assert any(p.text.endswith("and fosters a sense of impunity,") and p.section == "PP 7"
               for p in passages)
    assert not [p for p in passages if p.text.strip() in ("14-61606", "*1461606*", "3/8")]


def test_a_resolution_heading_is_read_with_the_paragraph_under_it():
    # S/RES/1970 (2011) heads its operative paragraph 9 "Arms embargo"; the heading alone
    # is no passage, and the long paragraph's first part starts with it, not "Arms embargo 9.".
    passages = to_passages(read(RESOLUTIONS / "S-RES-1970(2011).txt"), count, 128)
    (op9,) = [p for p in passages if p.text.startswith("Arms embargo")]
    assert op9.text.startswith("Arms embargo\n9. Decides that all Member States shall")
    assert op9.section == "OP 9" and op9.part == 1
    assert (op9.paragraph, op9.paragraph_end) == (37, 38) and op9.parts > 1
    assert not [p for p in passages if len(p.text.split()) <= 3]
    # A reissue's job number ("11-24558* (E)") and footnote ("* Second reissue for technical
    # reasons") are page furniture: the footnote is no preambular paragraph of its own.
    assert not [p for p in passages if "(E)" in p.text or "reissue" in p.text]
    (pp9,) = [p for p in passages if p.section == "PP 9"]
    assert pp9.text.startswith("Recalling the Libyan authorities' responsibility to protect")
    # OP 17, cut by a page break after "decides further that all", is one paragraph.
    op17 = [p for p in passages if p.section == "OP 17"]
    assert op17[0].text.startswith("Asset freeze\n17. Decides that all Member States shall")
    assert "decides further that all Member States shall ensure" in " ".join(p.text for p in op17)
    assert len({(p.paragraph, p.paragraph_end) for p in op17}) == 1


def test_an_even_pages_foot_is_furniture_and_its_paragraph_goes_on_after_it():
    # S/RES/2096 (2013) OP 15 is cut by page 10, whose foot reads "10 13-26388": the page
    # number is no word of the paragraph, and the paragraph goes on after the page break.
    passages = to_passages(read(RESOLUTIONS / "S-RES-2096(2013).txt"), count, 254)
    op15 = " ".join(p.text for p in passages if p.section == "OP 15")
    assert "designation criteria set out in Security Council Resolution 2082 (2012)" in op15
    assert len({p.paragraph for p in passages if p.section == "OP 15"}) == 1
    assert not [p for p in passages if p.text.rstrip().endswith(" 10")]


def test_resolution_hit_is_cited_by_operative_paragraph(tmp_path, hashing):
    import diplosearch as ds

    folder = tmp_path / "res"
    folder.mkdir()
    (folder / "S-RES-2178(2014).txt").write_bytes((RESOLUTIONS / "S-RES-2178(2014).txt").read_bytes())
    idx, _ = ds.build_index([folder], tmp_path / "x", model=hashing)
    hit = idx.search("Recalls its decision in resolution 1373 (2001) that all Member States "
                     "shall ensure that any person who participates in the financing", k=1)[0]
    assert hit.section == "OP 6" and hit.speaker is None
    assert hit.citation.startswith("S/RES/2178 (2014), OP 6 ¶")
    assert idx.passage(hit.citation).id == hit.id
    # cited as analysts cite a resolution: the paragraph that opens OP 6 (its lead-in)
    opening = idx.passage("S/RES/2178 (2014), OP 6")
    assert opening.section == "OP 6" and opening.text.startswith("6. Recalls its decision")
    assert idx.show("S/RES/2178 (2014) op 6").hit.id == opening.id
    with pytest.raises(NotFoundError):
        idx.passage("S/RES/2178 (2014), OP 99")
    # a subparagraph as analysts cite it, and a symbol without its year
    assert idx.passage("S/RES/2178 (2014), OP 6 (b)").text.startswith("(b)")
    assert idx.show("S/RES/2178 (2014), OP 6 (c)").hit.text.startswith("(c)")
    with pytest.raises(NotFoundError):
        idx.passage("S/RES/2178 (2014), OP 6 (z)")
    with pytest.raises(NotFoundError, match=r"did you mean 'S/RES/2178 \(2014\)'"):
        idx.passage("S/RES/2178, OP 6")


@pytest.mark.parametrize("text, iso", [
    ("2020-01-09", "2020-01-09"), ("9 January 2020", "2020-01-09"),
    ("January 9, 2020", "2020-01-09"), ("31 February 2020", None), ("2020-13-01", None),
    ("yesterday", None), ("09/01/2020", None),
])
def test_iso_dates(text, iso):
    assert iso_date(text) == iso


def _transcripts(folder):
    (folder / "sub").mkdir(parents=True)
    (folder / "one.txt").write_text("Mr. Ali (Kenya): We welcome the report.\n")
    (folder / "sub" / "two.txt").write_text("Ms. Berg (Norway): We support the draft.\n")


def test_csv_manifest_gives_metadata_by_name_or_relative_path(tmp_path):
    _transcripts(tmp_path)
    (tmp_path / "metadata.csv").write_text(
        "file,symbol,date,body,affiliation\n"
        "one.txt,S/PV.9001,9 March 2022,Security Council,\n"
        "sub/two.txt,S/PV.9002,2022-03-10,,\n")
    (tmp_path / "sub" / "two.txt.meta.json").write_text('{"body": "General Assembly"}')
    one = read_source(SourceFile(tmp_path / "one.txt", "one.txt")).metadata
    two = read_source(SourceFile(tmp_path / "sub" / "two.txt", "sub/two.txt")).metadata
    assert one == {"symbol": "S/PV.9001", "date": "2022-03-09", "body": "Security Council"}
    assert two == {"symbol": "S/PV.9002", "date": "2022-03-10", "body": "General Assembly"}


def test_jsonl_manifest(tmp_path):
    _transcripts(tmp_path)
    rows = [{"file": "one.txt", "speaker": "Mr. Ali", "affiliation": "Kenya", "year": 2022}]
    (tmp_path / "metadata.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    meta = read_source(SourceFile(tmp_path / "one.txt", "one.txt")).metadata
    assert meta == {"speaker": "Mr. Ali", "affiliation": "Kenya", "year": "2022"}


@pytest.mark.parametrize("name, content, where, field", [
    ("metadata.csv", "file,colour\none.txt,red\n", "metadata.csv", "'colour'"),
    ("metadata.csv", "name,date\none.txt,2022-01-01\n", "metadata.csv", "'file'"),
    ("metadata.csv", "file,date\none.txt,2022-02-30\n", "metadata.csv, line 2", "'date'"),
    ("metadata.jsonl", '{"file": "one.txt", "year": "last year"}\n', "metadata.jsonl, line 1", "'year'"),
    ("metadata.jsonl", "{not json\n", "metadata.jsonl, line 1", "not JSON"),
    ("one.txt.meta.json", '{"date": "soon"}', "one.txt.meta.json", "'date'"),
])
def test_bad_metadata_names_the_file_and_the_field(tmp_path, name, content, where, field):
    _transcripts(tmp_path)
    (tmp_path / name).write_text(content)
    with pytest.raises(SourceError) as err:
        read_source(SourceFile(tmp_path / "one.txt", "one.txt"))
    message = str(err.value)
    assert where in message and field in message and "\n" not in message


def test_bad_metadata_skips_the_file_and_keeps_what_is_indexed(tmp_path, hashing):
    import diplosearch as ds

    _transcripts(tmp_path / "docs")
    idx, _ = ds.build_index([tmp_path / "docs"], tmp_path / "x", model=hashing)
    (tmp_path / "docs" / "metadata.csv").write_text(
        "file,date\none.txt,2022-02-30\nsub/two.txt,2022-03-10\n")
    (tmp_path / "docs" / "one.txt").write_text("Mr. Ali (Kenya): We welcome the new report.\n")
    (tmp_path / "docs" / "sub" / "two.txt").write_text("Ms. Berg (Norway): We support it now.\n")
    report = idx.add([tmp_path / "docs"])
    assert report.updated == ["sub/two.txt"]
    assert [(p.rsplit("/", 1)[-1], "'date'" in why) for p, why in report.skipped] == [("one.txt", True)]
    assert {d["key"] for d in idx.documents()} == {"one.txt", "sub/two.txt"}


@pytest.mark.parametrize("path, speaker", [
    ("Session 78 - 2023/TON_78_2023.txt", "Siaosi ’Ofakivahafolau Sovaleni"),
    ("Session 78 - 2023/KWT_78_2023.txt", "Sheikh Ahmad Nawaf Al-Ahmad Al-Sabah")])
def test_a_speaker_broken_over_two_lines_in_the_workbook_is_named_on_one(path, speaker):
    meta = read(CORPUS / "ungdc_2015_2024/TXT" / path).metadata
    assert speaker in meta["speaker"] and "\n" not in meta["speaker"]
