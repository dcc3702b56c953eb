"""Where index names resolve: the index home (the user data folder, or $DIPLOSEARCH_HOME),
the same from any folder; an old ./indexes still found and listed with how to move it."""

import json
import os

import pytest
from typer.testing import CliRunner

from diplosearch import build_index, list_indexes, open_index
from diplosearch.cli import app
from diplosearch.errors import IndexNotFoundError
from diplosearch.store.paths import index_home, legacy_home, resolve_index


@pytest.fixture
def user_home(tmp_path, monkeypatch):
    """No $DIPLOSEARCH_HOME: the platform's user data folder (XDG_DATA_HOME on Linux)."""
    monkeypatch.delenv("DIPLOSEARCH_HOME")
    return tmp_path / "user-data" / "diplosearch" / "indexes"


def test_default_home_is_the_user_data_folder(user_home):
    assert index_home() == user_home


def test_environment_overrides_the_home(isolated_home):
    assert index_home() == isolated_home


def test_a_name_resolves_the_same_from_any_folder(user_home, seed_dir, hashing, tmp_path,
                                                  monkeypatch):
    idx, _ = build_index(seed_dir, "seed", model=hashing)
    assert idx.path == user_home / "seed"
    for folder in (tmp_path / "elsewhere", tmp_path / "examples" / "deep"):
        folder.mkdir(parents=True)
        monkeypatch.chdir(folder)
        assert open_index("seed", hashing).path == user_home / "seed"
        assert open_index("seed", hashing).search("terrorist fighters", k=1)


def test_an_old_indexes_folder_is_still_found_and_listed(user_home, seed_dir, hashing, tmp_path):
    build_index(seed_dir, tmp_path / "indexes" / "old", model=hashing)   # cwd is tmp_path
    assert legacy_home() == tmp_path / "indexes"
    assert resolve_index("old") == tmp_path / "indexes" / "old"
    rows = {r["name"]: r for r in list_indexes()}
    assert rows["old"]["location"] == "old ./indexes"
    assert f"mv {tmp_path / 'indexes' / 'old'} {user_home}/" in rows["old"]["note"]
    assert rows["default"]["location"] == "bundled"


def test_the_home_wins_over_an_old_folder(user_home, seed_dir, hashing, tmp_path):
    build_index(seed_dir, tmp_path / "indexes" / "seed", model=hashing)
    build_index(seed_dir, "seed", model=hashing)
    assert resolve_index("seed") == user_home / "seed"
    assert [r["location"] for r in list_indexes() if r["name"] == "seed"] == ["home"]


def test_no_old_folder_lookup_when_the_home_is_set(isolated_home, tmp_path):
    (tmp_path / "indexes" / "x").mkdir(parents=True)
    assert legacy_home() is None
    with pytest.raises(IndexNotFoundError):
        open_index("x")


def test_index_list_says_where_each_index_lives(isolated_home, seed_dir):
    runner = CliRunner()
    runner.invoke(app, ["index", "build", str(seed_dir), "-n", "seed", "-m", "hashing"])
    table = runner.invoke(app, ["index", "list"])
    assert table.exit_code == 0 and f"home: {isolated_home}" in " ".join(table.output.split())
    rows = json.loads(runner.invoke(app, ["index", "list", "-f", "json"]).stdout)
    seed = next(r for r in rows if r["name"] == "seed")
    assert seed["path"] == os.fspath(isolated_home / "seed") and seed["location"] == "home"
