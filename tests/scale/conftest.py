"""A local Ray for the tests of a module (`ray_local`), stopped when the module is done."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="module")
def ray_local():
    ray = pytest.importorskip("ray") if not os.environ.get("CI") else __import__("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()
