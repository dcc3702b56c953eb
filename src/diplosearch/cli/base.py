"""The `diplosearch` command's shared parts: the Typer apps, common options and their
checks, and the wrapper that turns library errors into one line and an exit code (1; 2 for
an unusable query or option, as Click does for bad usage)."""

from __future__ import annotations

import errno
import functools
import os
import sys
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from .._version import __version__
from ..errors import DiplosearchError, QueryError

USAGE = 2   # Click's exit code for bad usage; ours too for a query or option the library refuses

# Click's usage error and its base, wherever this Typer takes Click from (it may vendor it).
_UsageError = typer.BadParameter.__base__
_ClickException = _UsageError.__base__
_HelpAskedFor = getattr(sys.modules[_UsageError.__module__], "NoArgsIsHelpError", ())


class _OneLineUsage(TyperGroup):
    """Bad usage says so in one line, naming where to read more (exit 2), instead of
    Click's usage block above the message. Help asked for (no arguments) still shows."""

    def main(self, *args, standalone_mode: bool = True, **kwargs):
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except _HelpAskedFor as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except _UsageError as exc:
            where = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx else ""
            print(f"error: {exc.format_message()}{where}", file=sys.stderr)
            sys.exit(exc.exit_code)
        except _ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except typer.Abort:
            print("Aborted!", file=sys.stderr)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(cls=_OneLineUsage, 
    help="Semantic search over diplomatic texts (UN Security Council and General Assembly "
         "records, resolutions, your own transcripts), with a citation for every passage.\n\n"
         "Try:  diplosearch search \"what measures target foreign terrorist fighters\"",
    no_args_is_help=True, rich_markup_mode=None, pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
index_app = typer.Typer(help="Build, grow and inspect indexes.", no_args_is_help=True,
                        rich_markup_mode=None)
app.add_typer(index_app, name="index")

IndexOpt = Annotated[Optional[str], typer.Option(
    "--index", "-i", metavar="NAME", help="Index name (in the index home: $DIPLOSEARCH_HOME, else "
                          "your user data folder; `index list` shows it) or path. "
                          "Default: the bundled default index.")]
FormatOpt = Annotated[str, typer.Option(
    "--format", "-f", metavar="FORMAT",
    help="table (for people), json, jsonl (the same JSON on one line) or markdown.")]
HitsFormatOpt = Annotated[str, typer.Option(
    "--format", "-f", metavar="FORMAT",
    help="table (for people), json, jsonl (one hit per line) or markdown.")]
ModelOpt = Annotated[Optional[str], typer.Option(
    "--model", "-m", metavar="MODEL", help="Embedding model: a sentence-transformers name (needs hub access), a "
                          "local model folder, or 'hashing' (no weights). Default: the bundled "
                          "all-MiniLM-L6-v2.")]
IndexTypeOpt = Annotated[str, typer.Option(
    "--index-type", metavar="TYPE",
    help="Search structure: auto (exact when small, IVF-SQ8 from 200k passages), flat, "
         "ivf-sq8 or ivf-pq.")]
WaitOpt = Annotated[float, typer.Option("--wait", metavar="SECONDS", help="Seconds to wait for another writer.")]


def fail_cleanly(fn):
    """Library errors become one line on stderr and exit code 1 (2 for a QueryError: the
    query or an option is unusable), as do a read-only disk and a missing permission;
    Ctrl-C exits 130."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from .. import render

        try:
            return fn(*args, **kwargs)
        except QueryError as exc:
            render.error(str(exc))
            raise typer.Exit(code=USAGE) from None
        except DiplosearchError as exc:
            render.error(str(exc))
            raise typer.Exit(code=1) from None
        except BrokenPipeError:   # `... | head`: the reader has what it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(code=0) from None
        except OSError as exc:
            if exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
                raise
            # what the library did not foresee (it says read-only itself where it can)
            render.error(f"{exc.filename}: {exc.strerror}" if exc.filename else str(exc))
            raise typer.Exit(code=1) from None
        except KeyboardInterrupt:
            from . import interrupt

            interrupt.tell(render.error)   # then the program ends at once: see `interrupt`
            raise typer.Exit(code=interrupt.INTERRUPTED) from None
    return wrapper


def check_format(fmt: str) -> str:
    from ..render import FORMATS

    if fmt not in FORMATS:
        raise typer.BadParameter(f"{fmt!r} is not one of {', '.join(FORMATS)}", param_hint="--format")
    return fmt


def one_of(*allowed: str):
    """An option callback refusing values outside `allowed` (exit 2, naming the option);
    for repeatable options it checks each value."""
    def check(value):
        for v in ([] if value is None else [value] if isinstance(value, str) else value):
            if v not in allowed:
                raise typer.BadParameter(f"{v!r} is not one of {', '.join(allowed)}")
        return value
    return check


def date_value(value: Optional[str]) -> Optional[str]:
    """An option callback: a date the library's filters accept, or exit 2 saying why."""
    if value is not None:
        from ..retrieval.filters import parse_date

        try:
            parse_date(value, name="")
        except QueryError as exc:
            raise typer.BadParameter(str(exc).strip()) from None
    return value


def _version(value: bool) -> None:
    if value:
        print(f"diplosearch {__version__}")
        raise typer.Exit()


def _backend(value: Optional[str]) -> Optional[str]:
    if value is not None:
        import os

        from ..embed.models import BACKEND_ENV, BACKENDS

        if value not in BACKENDS:
            raise typer.BadParameter(f"{value!r} is not one of {', '.join(BACKENDS)}")
        os.environ[BACKEND_ENV] = value  # read by embedding.load_embedder in this process
    return value


@app.callback()
def main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                               help="Print the version and exit.")] = False,
         backend: Annotated[Optional[str], typer.Option(
             "--backend", callback=_backend, envvar="DIPLOSEARCH_BACKEND",
             help="How the model runs: auto (the bundled model through ONNX, without torch: "
                  "fp32 to search, int8 to build), torch, onnx (fp32) or onnx-int8.")] = None) -> None:
    """Semantic search over diplomatic texts."""
    from ..embed import notice

    notice.set_hook(_waiting)   # the model's one-time preparation, shown on stderr


def _waiting(message: str):
    from .. import render   # imported only when there is something to wait for

    return render.waiting(message)


Many = Optional[list[str]]
