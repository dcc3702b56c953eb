"""Ctrl-C ends the `diplosearch` program at once, whatever runs in the background.

The first Ctrl-C raises KeyboardInterrupt in the main thread as usual: the library's
`finally` blocks close the database and delete an unfinished build, and `fail_cleanly`
says the index is unchanged since its last commit. Then the process ends without waiting
for what is still busy: Python would otherwise wait at exit for the multilingual model's
worker thread to finish its batch (up to a minute), or for a Ray cluster to shut down.
Ending there loses nothing: every write is safe against a kill at any moment (see
`store.recovery`).

Should the main thread be stuck in native code that does not return, a watcher thread,
woken by the signal itself (`signal.set_wakeup_fd`), ends the process `GRACE_SECONDS`
after the Ctrl-C. A second Ctrl-C ends it at once, without a traceback.

Installed only by the program's entry point (`run`), never by the library or by tests
that invoke the commands in-process.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import threading
import time

GRACE_SECONDS = 1.0
INTERRUPTED = 130   # the shell's code for a process ended by SIGINT
MESSAGE = "interrupted; the index is unchanged since its last completed commit"

_interrupted = threading.Event()
_told = threading.Event()


def run(app) -> None:
    """Run the Typer `app` as the `diplosearch` program, Ctrl-C handled as above."""
    if threading.current_thread() is threading.main_thread():
        _install()
    try:
        app(prog_name="diplosearch")
    except SystemExit as exc:
        if _interrupted.is_set():
            _exit(exc.code if isinstance(exc.code, int) and exc.code else INTERRUPTED)
        raise
    if _interrupted.is_set():
        _exit(INTERRUPTED)


def tell(say=None) -> None:
    """Say once that the command was interrupted and what that left: through `say`
    (`render.error`), else straight to stderr's file descriptor (from the watcher)."""
    if not _told.is_set():
        _told.set()
        if say:
            say(MESSAGE)
        else:   # from the watcher: a progress bar may be mid-line on a terminal
            _write(("\n" if sys.stderr.isatty() else "") + f"error: {MESSAGE}\n")


def _install() -> None:
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    signal.signal(signal.SIGINT, _on_sigint)
    threading.Thread(target=_watch, args=(read_end,), daemon=True,
                     name="diplosearch-interrupt").start()


def _on_sigint(signum, frame) -> None:
    if _interrupted.is_set():   # the second Ctrl-C: stop now, quietly
        _exit(INTERRUPTED)
    _interrupted.set()
    raise KeyboardInterrupt


def _watch(fd: int) -> None:
    """Woken by every signal; after a Ctrl-C, end the process once the grace is over or
    at a second Ctrl-C, whichever comes first."""
    seen, deadline = 0, None
    while True:
        timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
        ready, _, _ = select.select([fd], [], [], timeout)
        if ready:
            seen += os.read(fd, 64).count(bytes([signal.SIGINT]))
        if seen >= 2 or (deadline is not None and time.monotonic() >= deadline):
            _exit(INTERRUPTED)
        if seen and deadline is None:
            deadline = time.monotonic() + GRACE_SECONDS


def _exit(code: int) -> None:
    """End the process now: no waiting for threads, no atexit handlers."""
    if code == INTERRUPTED:
        tell()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001  (a closed pipe must not stop the exit)
            pass
    if sys.stderr.isatty():
        _write("\x1b[?25h")   # a progress bar may have hidden the cursor
    os._exit(code)


def _write(text: str) -> None:
    try:
        os.write(2, text.encode("utf-8", "replace"))
    except OSError:
        pass
