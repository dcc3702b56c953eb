#!/usr/bin/env python3
"""List the names of the bundled corpora for the glossary's name lines (issue 18).

The glossary (`src/diplosearch/text/glossary.tsv`) was written for the corpora's common
words, names left out. A question in Russian or Chinese that names a place, body or
people the multilingual model does not place ("МООНСДРК", "阿卜耶伊", "罗兴亚") lost it in
the gloss. This script lists the names a glossary writer should translate: words and runs
of up to four words (a longer run, such as a list of countries, counts by its words)
written with a capital inside a sentence (not after a full stop), in at least
`--min-speeches` speeches of the 2020 Security Council speeches and the General Debate
2015-2024, and capitalised at least 90 % of the times they are used. Countries that
the CLDR table (`text/names.json`) already names are left out; their people's adjectives
("Syrian", "Libyan") are kept.

    python scripts/glossary_names.py > names.txt

The list the writers had (issue 18, eighth round) was made before words were read with
their accented letters, so it holds a few cut names ("Hammarskj", "Garc"); they wrote the
whole name where they knew it.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
SMALL = {"of", "the", "for", "de", "al"}   # inside a name
TOKEN = re.compile(r"[^\W\d_](?:[^\W\d_]|['’\-])*[^\W\d_]|[^\W\d_]|[.!?;:,()]")
POSSESSIVE = re.compile(r"['’]s?$")
HEAD = {"The", "This", "That", "These", "Those", "We", "Our", "It", "In", "On", "At", "As",
        "I", "Mr", "Mrs", "Ms", "Madam", "Sir", "President", "Secretary", "General",
        "Council", "Assembly", "Member", "States", "United", "Nations", "Excellency",
        "Excellencies", "Ladies", "Gentlemen", "Allow", "Let", "Thank", "Finally", "First",
        "Secondly", "Thirdly", "Lastly", "However", "Today", "Yet", "And", "But", "For",
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December", "Monday", "Tuesday", "Wednesday",
        "Thursday", "Friday", "Saturday", "Sunday"}


def read(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def speeches() -> list[Path]:
    unsc = sorted((CORPUS / "unsc_2020_pires" / "speeches_txt_2020").glob("*.txt"))
    gd = sorted((CORPUS / "ungdc_2015_2024" / "TXT").glob("Session */*.txt"))
    return unsc + gd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--min-speeches", type=int, default=4)
    args = parser.parse_args()
    known = {n.lower() for n in json.loads(
        (ROOT / "src/diplosearch/text/names.json").read_text("utf-8"))["places"]["en"]}
    names: Counter[str] = Counter()     # speeches using a name
    cased: Counter[str] = Counter()     # each word, capitalised / lower-case
    lower: Counter[str] = Counter()
    for path in speeches():
        tokens = TOKEN.findall(read(path))
        seen: set[str] = set()
        run: list[str] = []
        for i, tok in enumerate(tokens):
            if tok[0].isupper():
                cased[tok] += 1
            elif tok.isalpha():
                lower[tok.capitalize()] += 1
            starts = i == 0 or tokens[i - 1] in ".!?;:"
            if tok[0].isupper() and not starts and tok not in HEAD and len(tok) > 2:
                run.append(POSSESSIVE.sub("", tok))
                continue
            if run and tok in SMALL and len(run) < 4:
                run.append(tok)
                continue
            while run and run[-1] in SMALL:
                run.pop()
            if 0 < len(run) <= 4:          # a whole name, and each of its words
                seen.add(" ".join(run))
            seen.update(w for w in run if w not in SMALL)
            run = []
        names.update(seen)
    for name, count in sorted(names.items(), key=lambda nc: (-nc[1], nc[0])):   # ties by name
        if count < args.min_speeches:
            break
        words = name.split()
        if name.lower() in known or name.isupper() and len(name) < 3 or any(
                lower[w] > cased[w] / 9 for w in words if w not in SMALL):
            continue
        print(f"{name}\t{count}")


if __name__ == "__main__":
    main()
