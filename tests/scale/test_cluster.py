"""A real multi-node Ray cluster on this machine (`ray.cluster_utils.Cluster`: a head node
and a worker node, each a raylet with its own resources): the build's work runs on both
nodes, and a worker node killed in the middle of a build does not cost a wrong index: the
build finishes (the pool goes on with the actor left on the head node, and the shard the
lost actor held is retried) or fails cleanly with nothing at the target, and a rerun then
finishes. Marked `ray`."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest

from diplosearch.index import build_index
from diplosearch.scale import ray_build
from tests.scale.parity import SPEECHES, assert_same_index, on_ray

LIMIT_S = 420   # a stuck cluster fails the test instead of hanging the run


@pytest.fixture
def cluster():
    """A head and one worker node, one CPU each, so that two actors need both nodes."""
    ray = pytest.importorskip("ray") if not os.environ.get("CI") else __import__("ray")
    from ray.cluster_utils import Cluster

    c = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "resources": {"head": 1}})
    c.add_node(num_cpus=1, resources={"second": 1})
    c.wait_for_nodes()
    ray.init(address=c.address, log_to_driver=False)
    try:
        yield c
    finally:
        ray.shutdown()
        c.shutdown()


def _give_up(signum, frame):
    raise TimeoutError(f"the cluster build took over {LIMIT_S} s")


@on_ray[0]
@on_ray[1]
def test_two_nodes_and_a_worker_node_killed_mid_build(cluster, tmp_path):
    import ray

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in sorted(os.listdir(SPEECHES))[:24]:
        shutil.copy(SPEECHES / name, corpus / name)
    log = tmp_path / "nodes.log"
    worker_node = cluster.list_all_nodes()[1]

    class NotesItsNode(ray_build.ShardWorker):
        def run(self, spec):
            out = super().run(spec)
            time.sleep(1.0)        # long enough a build for the kill to land in it
            with open(log, "a") as fh:
                fh.write(f"{ray.get_runtime_context().get_node_id()}\n")
            return out

    def kill_when_both_nodes_worked() -> None:
        deadline = time.monotonic() + LIMIT_S
        while time.monotonic() < deadline:
            if log.exists() and len(set(log.read_text().split())) >= 2:
                cluster.remove_node(worker_node, allow_graceful=False)
                with open(log, "a") as fh:
                    fh.write("killed\n")
                killed.set()
                return
            time.sleep(0.2)

    killed = threading.Event()
    killer = threading.Thread(target=kill_when_both_nodes_worked, daemon=True)
    killer.start()
    signal.signal(signal.SIGALRM, _give_up)
    signal.alarm(LIMIT_S)
    try:
        try:
            remote, _ = ray_build.build_index_ray(corpus, tmp_path / "ray", model="hashing",
                                                  workers=2, files_per_shard=3,
                                                  shard_dir=tmp_path / "shards",
                                                  worker=NotesItsNode)
            finished = True
        except Exception as exc:                     # failed cleanly: nothing at the target
            assert not isinstance(exc, TimeoutError)
            assert not (tmp_path / "ray").exists()
            finished = False
            remote, _ = ray_build.build_index_ray(corpus, tmp_path / "ray", model="hashing",
                                                  workers=2, files_per_shard=3,
                                                  shard_dir=tmp_path / "shards")
    finally:
        signal.alarm(0)
    killer.join(timeout=5)
    assert killed.is_set()
    nodes = log.read_text().split()
    assert len(set(nodes) - {"killed"}) >= 2         # work ran on both nodes
    if finished:                                     # and went on after the kill
        assert nodes[-1] != "killed", "the kill landed after the last shard"
    local, _ = build_index(corpus, tmp_path / "local", model="hashing")
    assert_same_index(local, remote)
    assert not Path(tmp_path / "shards").exists()
