"""What the CLI tests share: running the app in-process, and the seed statement indexed
under the name "seed" with the hashing model."""

import pytest
from typer.testing import CliRunner

from diplosearch.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def seed_index(seed_dir):
    result = run("index", "build", seed_dir, "--name", "seed", "--model", "hashing", "-f", "json")
    assert result.exit_code == 0, result.output
    return "seed"
