"""A document's identity across folders: adding a file never silently replaces a different
document that has the same name (issue 13, point 4), while re-adding, moving and asking
to replace still work."""

from __future__ import annotations

import shutil

import pytest

import diplosearch as ds

KENYA = "Kenya supports the peace process in the region and calls for a ceasefire.\n"
NORWAY = "Norway welcomes the report on climate and security and will fund the mechanism.\n"
GD_2024 = "ungdc_2015_2024/TXT/Session 79 - 2024/USA_79_2024.txt"


@pytest.fixture
def meetings(tmp_path):
    """Two folders, each with its own `statement.txt`."""
    for folder, text in (("meeting1", KENYA), ("meeting2", NORWAY)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "statement.txt").write_text(text, encoding="utf-8")
    return tmp_path / "meeting1", tmp_path / "meeting2"


def _texts(idx) -> list[str]:
    return sorted(r[0] for r in idx.db.execute("SELECT text FROM passages"))


def _state(idx) -> tuple:
    return (idx.documents(), _texts(idx), idx.info()["generation"])


def test_same_name_from_another_folder_is_refused_and_nothing_changes(meetings, hashing):
    one, two = meetings
    idx, _ = ds.build_index([one], "n", model=hashing)
    before = _state(idx)
    with pytest.raises(ds.SameNameError) as refused:
        idx.add([two])
    message = str(refused.value)
    assert "\n" not in message
    assert str(one / "statement.txt") in message and str(two / "statement.txt") in message
    assert "--replace-same-name" in message and "common parent folder" in message
    assert refused.value.clashes == [("statement.txt", str(two / "statement.txt"),
                                      str(one / "statement.txt"))]
    idx.reload()
    assert _state(idx) == before and "Kenya" in _texts(idx)[0]


def test_replace_same_name_replaces_when_asked(meetings, hashing):
    one, two = meetings
    idx, _ = ds.build_index([one], "n", model=hashing)
    report = idx.add([two], replace_same_name=True)
    assert report.updated == ["statement.txt"] and report.passages_removed == 1
    assert [d["key"] for d in idx.documents()] == ["statement.txt"]
    assert "Norway" in _texts(idx)[0]
    # the document now stands for the new file: re-adding it is a no-op
    assert idx.add([two]).unchanged == ["statement.txt"]


def test_both_kept_through_their_common_parent(meetings, hashing):
    one, two = meetings
    idx, _ = ds.build_index([one], "n", model=hashing)
    report = idx.add([one.parent])
    # the indexed file keeps its key (its citations); the other gets its folder in its key
    assert report.unchanged == ["meeting1/statement.txt"] and report.added == ["meeting2/statement.txt"]
    assert sorted(d["key"] for d in idx.documents()) == ["meeting2/statement.txt", "statement.txt"]
    assert any("Kenya" in t for t in _texts(idx)) and any("Norway" in t for t in _texts(idx))


def test_two_files_of_one_name_in_one_call_are_refused(meetings, hashing, isolated_home):
    one, two = meetings
    with pytest.raises(ds.SameNameError, match="would both be indexed under that name"):
        ds.build_index([one, two], "n", model=hashing)
    assert not (isolated_home / "n").exists()    # no index left behind
    idx, _ = ds.build_index([one], "n", model=hashing)
    with pytest.raises(ds.SameNameError):
        idx.add([one, two], replace_same_name=True)   # which one? never guessed
    assert "Kenya" in _texts(idx)[0]


def test_changed_file_at_the_same_path_still_updates(meetings, hashing):
    one, _ = meetings
    idx, _ = ds.build_index([one], "n", model=hashing)
    (one / "statement.txt").write_text(KENYA + "\nKenya also thanks the presidency for "
                                       "convening this meeting on the region today.\n",
                                       encoding="utf-8")
    report = idx.add([one / "statement.txt"])   # given directly: same path, same key
    assert report.updated == ["statement.txt"] and report.passages_embedded >= 1


def test_a_moved_folder_is_the_same_document(meetings, hashing, tmp_path):
    one, _ = meetings
    idx, _ = ds.build_index([one], "n", model=hashing)
    moved = tmp_path / "archive" / "meeting1"
    moved.parent.mkdir()
    shutil.move(one, moved)
    report = idx.add([moved])
    assert report.unchanged == ["statement.txt"] and report.moved == ["statement.txt"]
    assert report.passages_embedded == 0
    # its recorded path follows the move, so removing it by its new path works
    assert idx.remove(str(moved / "statement.txt")) == ["statement.txt"]


def test_a_moved_and_edited_file_is_refused_unless_replacing(meetings, hashing, tmp_path):
    one, _ = meetings
    idx, _ = ds.build_index([one], "n", model=hashing)
    moved = tmp_path / "moved"
    shutil.move(one, moved)
    (moved / "statement.txt").write_text(NORWAY, encoding="utf-8")
    with pytest.raises(ds.SameNameError, match=r"\(no longer there\)"):
        idx.add([moved])
    assert idx.add([moved], replace_same_name=True).updated == ["statement.txt"]


def test_a_copy_with_the_same_text_changes_nothing(meetings, hashing, tmp_path):
    one, _ = meetings
    idx, _ = ds.build_index([one], "n", model=hashing)
    copy = tmp_path / "copy"
    shutil.copytree(one, copy)
    report = idx.add([copy])
    assert report.unchanged == ["statement.txt"] and report.moved == []
    assert idx.db.execute("SELECT path FROM documents").fetchone()[0] == str(one / "statement.txt")


def test_an_unrelated_general_debate_file_of_the_same_name(shared, hashing, tmp_path):
    """The issue's second case: `USA_79_2024.txt` from another folder replaced the US
    speech indexed from the corpus."""
    speech = shared / "corpus" / GD_2024
    idx, _ = ds.build_index([speech], "gd", model=hashing)
    other = tmp_path / "drafts"
    other.mkdir()
    (other / speech.name).write_text("A draft that is not the United States' statement.\n",
                                     encoding="utf-8")
    before = _state(idx)
    with pytest.raises(ds.SameNameError, match="USA_79_2024.txt"):
        idx.add([other / speech.name])
    idx.reload()
    assert _state(idx) == before
    assert idx.documents()[0]["passages"] > 10
