"""The one-time ONNX export says what it is doing and how long it takes, through a hook the
CLI renders (one line on stderr off a terminal); the library itself prints nothing."""

import logging

from diplosearch import render
from diplosearch.embed import export, notice
from diplosearch.embed.models import default_model_path
from diplosearch.embed.onnx import ensure_onnx


def fake_export(monkeypatch, log):
    def write(model_dir, target, max_length):
        log.append("exporting")
        target.write_bytes(b"onnx")

    monkeypatch.setattr(export, "export_fp32", write)


def test_the_export_is_announced_around_the_work(monkeypatch, tmp_path, capsys, caplog):
    events = []
    fake_export(monkeypatch, events)

    class Shown:
        def __init__(self, message):
            events.append(message)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            events.append("done")

    monkeypatch.setattr(notice, "_hook", None)
    notice.set_hook(Shown)
    try:
        with caplog.at_level(logging.INFO, logger="diplosearch"):
            ensure_onnx(default_model_path(), "onnx", tmp_path)
            ensure_onnx(default_model_path(), "onnx", tmp_path)   # cached: nothing to say
    finally:
        notice.set_hook(None)
    message, *rest = events
    assert message.startswith("preparing the model for fast CPU use, once: exporting it to ONNX")
    assert "(about 1 s)" in message and str(tmp_path) in message   # no torch: the bundled model
    assert rest == ["exporting", "done"]
    assert [r.getMessage() for r in caplog.records] == [message]
    assert capsys.readouterr() == ("", "")   # the library printed nothing


def test_the_cli_shows_one_line_off_a_terminal(capsys):
    with render.waiting("preparing the model (about 20 s)"):
        pass
    out, err = capsys.readouterr()
    assert out == "" and err == "diplosearch: preparing the model (about 20 s)\n"
