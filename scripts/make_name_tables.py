#!/usr/bin/env python3
"""Write src/diplosearch/text/names.json: month names and country names in the six UN
languages, from the Unicode CLDR as the `babel` package carries it, so that a question's
"janvier 2020", "利比亚" or "в Ливии" is understood without babel at run time.

    pip install babel && python scripts/make_name_tables.py

Months: CLDR's wide and abbreviated forms, in format and stand-alone context (Russian
"января" and "январь"), plus the Levantine Arabic names UN Arabic texts also use
(ar_SY: "كانون الثاني"). Countries: CLDR's territory names keyed by ISO 3166 alpha-2 (only
the two-letter codes: regions such as "001" are left out).
"""

from __future__ import annotations

import json
from pathlib import Path

from babel import Locale
from babel.dates import get_month_names

OUT = Path(__file__).resolve().parent.parent / "src" / "diplosearch" / "text" / "names.json"
LANGS = {"en": ["en"], "fr": ["fr"], "es": ["es"], "ru": ["ru"], "ar": ["ar", "ar_SY"],
         "zh": ["zh"]}


def main() -> None:
    months: dict[str, dict[str, int]] = {}
    places: dict[str, dict[str, str]] = {}
    for lang, locales in LANGS.items():
        forms: dict[str, int] = {}
        for loc in locales:
            for width in ("wide", "abbreviated"):
                for context in ("format", "stand-alone"):
                    for n, name in get_month_names(width, context, loc).items():
                        name = name.strip(".").lower()
                        if len(name) >= 3 or lang == "zh":
                            forms.setdefault(name, n)
        months[lang] = dict(sorted(forms.items()))
        names = Locale.parse(locales[0]).territories
        places[lang] = {name: code for code, name in sorted(names.items())
                        if len(code) == 2 and code.isalpha() and code not in ("ZZ", "EU", "UN", "EZ", "QO")}
    OUT.write_text(json.dumps({"source": "Unicode CLDR via babel (scripts/make_name_tables.py)",
                               "months": months, "places": places}, ensure_ascii=False,
                              indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{OUT}: months {sum(map(len, months.values()))} forms, "
          f"places {sum(map(len, places.values()))} names")


if __name__ == "__main__":
    main()
