"""Compare PDF libraries on the S/PV records: speed, and what the same layout rules make
of the words each one reports.

For each library: seconds per file to get positioned, styled words; whether
`diplosearch.ingest.pdflayout` then yields the same text as with pypdfium2 (the one
diplosearch uses); and, for the libraries' own plain-text output, how many of the
record's paragraphs come out whole (two-column pages read in order) and how many page
headers/footers are left in.

    python scripts/compare_pdf_libraries.py [--corpus DIR] [--files N]

pdfplumber is slow (several seconds a file); --files limits the run.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from diplosearch.ingest import pdf as dpdf
from diplosearch.ingest import textclean
from diplosearch.ingest.pdflayout import Word

REPO = Path(__file__).resolve().parent.parent
DEFAULT = REPO.parent / "shared" / "corpus" / "unsc_2020_pires" / "speeches_pdf"
_STYLE = (re.compile(r"bold", re.I), re.compile(r"italic|oblique", re.I))


def words_pdfium(path: Path) -> tuple[list[list[Word]], tuple[float, float]]:
    doc = dpdf.open_document(path, path.read_bytes())
    try:
        return [dpdf.page_words(doc[i]) for i in range(len(doc))], doc.get_page_size(0)
    finally:
        doc.close()


def words_pdfplumber(path: Path) -> tuple[list[list[Word]], tuple[float, float]]:
    import pdfplumber

    with pdfplumber.open(path) as doc:
        pages = [[Word(w["text"], w["x0"], w["x1"], w["top"], w["bottom"],
                       bool(_STYLE[0].search(w["fontname"])), bool(_STYLE[1].search(w["fontname"])))
                  for w in page.extract_words(extra_attrs=["fontname"])] for page in doc.pages]
        return pages, (doc.pages[0].width, doc.pages[0].height)


def words_pymupdf(path: Path) -> tuple[list[list[Word]], tuple[float, float]]:
    import pymupdf

    out = []
    with pymupdf.open(path) as doc:
        for page in doc:
            spans = [s for b in page.get_text("dict")["blocks"] for ln in b.get("lines", [])
                     for s in ln["spans"]]
            words = []
            for x0, y0, x1, y1, text, *_ in page.get_text("words"):
                cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
                font = next((s["font"] for s in spans if s["bbox"][0] <= cx <= s["bbox"][2]
                             and s["bbox"][1] <= cy <= s["bbox"][3]), "")
                words.append(Word(text, x0, x1, y0, y1, bool(_STYLE[0].search(font)),
                                  bool(_STYLE[1].search(font))))
            out.append(words)
        return out, (doc[0].rect.width, doc[0].rect.height)


def native_text(lib: str, path: Path) -> str:
    if lib == "pypdf":
        import pypdf

        return "\n".join(p.extract_text() for p in pypdf.PdfReader(path).pages)
    if lib == "pdfplumber":
        import pdfplumber

        with pdfplumber.open(path) as doc:
            return "\n".join(p.extract_text() for p in doc.pages)
    import pymupdf

    with pymupdf.open(path) as doc:
        return "\n".join(p.get_text() for p in doc)


def squash(text: str) -> str:
    return re.sub(r"[\s\-\u00ad]+", "", text)


def whole_paragraphs(reference: str, native: str) -> float:
    """Share of the reference's paragraphs found unbroken in the native text."""
    paragraphs = [reference[a:b] for a, b in textclean.paragraph_blocks(reference, True)]
    long = [squash(p) for p in paragraphs if len(p) > 200]
    flat = squash(native)
    return sum(p in flat for p in long) / max(1, len(long))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT)
    parser.add_argument("--files", type=int, default=0, help="only the first N files")
    args = parser.parse_args()
    files = sorted(args.corpus.glob("*.pdf"))[: args.files or None]
    extractors = {"pypdfium2": words_pdfium, "pdfplumber": words_pdfplumber,
                  "pymupdf": words_pymupdf}
    totals = {k: 0.0 for k in extractors}
    same = {k: 0 for k in extractors}
    for path in files:
        texts = {}
        for lib, extract in extractors.items():
            started = time.process_time()
            words, size = extract(path)
            totals[lib] += time.process_time() - started
            texts[lib] = dpdf.assemble(path, dpdf.layout_pages(words, size)).text
            same[lib] += squash(texts[lib]) == squash(texts["pypdfium2"])
        print(f"{path.name}: " + ", ".join(
            f"{lib} {'same' if squash(t) == squash(texts['pypdfium2']) else 'DIFFERS'}"
            for lib, t in texts.items()))
        for lib in ("pypdf", "pdfplumber", "pymupdf"):
            native = native_text(lib, path)
            footers = len(re.findall(r"\b\d{2}-\d{5}\b", native))
            print(f"   native {lib:10}: paragraphs whole {whole_paragraphs(texts['pypdfium2'], native):.0%}"
                  f", job-number footers left in: {footers}")
    n = len(files)
    print("\npositioned words, CPU seconds per file:")
    for lib in extractors:
        print(f"  {lib:10} {totals[lib] / n:6.2f}  same text as pypdfium2 in {same[lib]}/{n} files")


if __name__ == "__main__":
    main()
