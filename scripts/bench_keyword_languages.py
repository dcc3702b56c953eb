#!/usr/bin/env python3
"""What keyword search in Chinese, Arabic and Russian (migration 009) costs: writes, disk
and keyword latency, English and not.

    python scripts/bench_keyword_languages.py [--n 20000] [--reps 5] [--texts DIR]

English: N real General Debate paragraphs are written as passages (one transaction, as a
build commits them; no vectors, no model) into fresh databases with the schema before
migration 009 and with it, alternately, `reps` times each, so that load from other
processes falls on both alike. Prints the median write time per passage, the database
size per passage, the rows of the folded table, warm keyword latency (p50/p95) of
English queries on each, what the triggers' check costs per English passage (measured
apart from the writes), and how long migration 009 takes on the index without it.

Chinese, Arabic, Russian: N passages of each, three to six sentences drawn at random from a
few dozen written here (a synthetic text: its vocabulary is small, so its index is smaller
than real text's would be). Prints write time per passage with 009 and without it (there,
only the main table indexes them), the folded table's bytes per passage (dbstat), and warm
keyword latency of queries in each language.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from diplosearch.retrieval import keyword
from diplosearch.scale import synthetic
from diplosearch.store import database, migrations

GENERAL_DEBATE = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "ungdc_2015_2024"
EN_QUERIES = ["sanctions on terrorism financing", "protection of civilians in peacekeeping",
              "climate security and the region", "women peace and security resolution",
              "humanitarian access ceasefire", "nuclear disarmament dialogue",
              "electoral transition mission mandate", "accountability for refugees crisis"]
SENTENCES = {
    "zh": ["安全理事会今天通过了关于叙利亚人道主义局势的决议。", "秘书长呼吁各方遵守国际法，保护平民。",
           "中国代表表示，和平与发展是各国人民的共同愿望。", "我们反对一切形式的恐怖主义和极端主义。",
           "气候变化对小岛屿发展中国家构成生存威胁。", "会员国应当加强多边合作，支持联合国维持和平行动。",
           "核裁军和不扩散是国际安全的基石。", "妇女、和平与安全议程必须得到全面落实。",
           "可持续发展目标需要更多的资金和技术转让。", "难民和流离失所者的人数达到了历史最高水平。"],
    "ar": ["اعتمد مجلس الأمن اليوم القرار بالإجماع.", "دعا الأمين العام جميع الأطراف إلى وقف إطلاق النار.",
           "إن حماية المدنيين مسؤولية مشتركة للمجتمع الدولي.", "تشكل تغيرات المناخ تهديدا وجوديا للدول الجزرية الصغيرة.",
           "نرفض الإرهاب بجميع أشكاله ومظاهره.", "يجب تعزيز التعاون المتعدد الأطراف ودعم عمليات حفظ السلام.",
           "نزع السلاح النووي وعدم الانتشار ركيزتان للأمن الدولي.", "لا تتحقق التنمية المستدامة بدون السلام والأمن.",
           "بلغ عدد اللاجئين والنازحين أعلى مستوى له في التاريخ.", "ينبغي إيصال المساعدات الإنسانية دون عوائق."],
    "ru": ["Совет Безопасности единогласно принял резолюцию о гуманитарной помощи Сирии.",
           "Генеральный секретарь призвал стороны к диалогу и прекращению огня.",
           "Защита гражданского населения является нашей общей ответственностью.",
           "Изменение климата создаёт угрозу для малых островных государств.",
           "Мы осуждаем терроризм во всех его формах и проявлениях.",
           "Необходимо укреплять многостороннее сотрудничество и поддерживать миротворческие операции.",
           "Ядерное разоружение и нераспространение являются основой международной безопасности.",
           "Устойчивое развитие невозможно без мира и безопасности.",
           "Число беженцев и вынужденных переселенцев достигло исторического максимума.",
           "Односторонние санкции не решают проблем развивающихся стран."],
}
QUERIES = {"zh": ["决议", "法", "恐怖主义", "气候变化的威胁", "和平"],
           "ar": ["الأمن", "قرار", "اللاجئين", "المناخ", "التنمية المستدامة"],
           "ru": ["резолюция", "терроризм", "беженцы", "климат", "безопасность"]}
WITHOUT_009 = [m for m in migrations.MIGRATIONS if m[0] != "009_keyword_scripts"]
WITH_009 = list(migrations.MIGRATIONS)


def write(folder: Path, texts: list[str], with_009: bool) -> tuple[float, int, int]:
    """Seconds to write `texts` as passages in one transaction; file bytes; folded rows."""
    migrations.MIGRATIONS[:] = WITH_009 if with_009 else WITHOUT_009
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    db = database.create(folder)
    rows = [(i + 1, 1 + i // 40, 1, i % 40, t, f"{i:064x}", i % 40, i % 40, 1, 1, "en", 1, 1, 0,
             len(t)) for i, t in enumerate(texts)]
    t0 = time.perf_counter()
    with database.transaction(db):
        db.execute("INSERT INTO segments (id, file, rows, sha256, created_at) "
                   "VALUES (1, 's', 0, '', '')")
        db.executemany("INSERT INTO documents (id, key, sha256, indexed_at) VALUES (?, ?, '', '')",
                       [(d, f"d{d}") for d in range(1, 2 + len(texts) // 40)])
        db.executemany("INSERT INTO passages (id, doc_id, segment_id, position, text, text_sha256,"
                       " paragraph, paragraph_end, part, parts, language, line_start, line_end,"
                       " char_start, char_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       rows)
    seconds = time.perf_counter() - t0
    folded = db.execute("SELECT COUNT(*) FROM passages_fts_folded_docsize").fetchone()[0] \
        if with_009 else 0
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    migrations.MIGRATIONS[:] = WITH_009
    return seconds, (folder / database.DB_NAME).stat().st_size, folded


def folded_bytes(folder: Path) -> int:
    db = database.connect(folder)
    n = db.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'passages_fts_folded%'"
                   ).fetchone()[0]
    db.close()
    return int(n or 0)


def latency(folder: Path, queries: list[str], rounds: int) -> str:
    db = database.connect(folder)
    for q in queries:
        keyword.search(db, q, 100)                   # warm the page cache
    lat = []
    for _ in range(rounds):
        for q in queries:
            t = time.perf_counter()
            keyword.search(db, q, 100)
            lat.append(time.perf_counter() - t)
    db.close()
    a = np.array(lat) * 1000
    return f"p50 {np.percentile(a, 50):6.2f} ms  p95 {np.percentile(a, 95):6.2f} ms"


def check_cost(folder: Path) -> float:
    """Microseconds per passage that the folded table's WHEN clause adds to a write: the
    one call into Python it makes for a passage, measured apart from the noise of writes."""
    db = database.connect(folder)
    n = db.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
    runs: dict[str, list[float]] = {"length": [], "check": []}
    for _ in range(9):
        for name, sql in (("length", "SELECT SUM(length(text)) FROM passages"),
                          ("check", "SELECT SUM(keyword_needs_fold_1(text)) FROM passages")):
            t0 = time.perf_counter()
            db.execute(sql).fetchone()
            runs[name].append(time.perf_counter() - t0)
    db.close()
    return (statistics.median(runs["check"]) - statistics.median(runs["length"])) / n * 1e6


def compare(work: Path, name: str, texts: list[str], reps: int) -> dict[bool, Path]:
    times: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(reps):
        for with_009 in (False, True):           # alternate: load falls on both alike
            seconds, size, folded = write(work / f"{name}-{with_009}", texts, with_009)
            times[with_009].append(seconds)
    n = len(texts)
    for with_009 in (False, True):
        label = "with 009   " if with_009 else "without 009"
        size = (work / f"{name}-{with_009}" / database.DB_NAME).stat().st_size
        print(f"{name}: {label}: write {statistics.median(times[with_009]) / n * 1e6:7.1f} us/passage"
              f" (median of {reps}), database {size / n:7.1f} bytes/passage"
              + (f", folded table {folded_bytes(work / f'{name}-True') / n:6.1f} bytes/passage, "
                 f"{folded:,} folded rows" if with_009 else ""))
    return {w: work / f"{name}-{w}" for w in (False, True)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=20, help="latency: times through the queries")
    ap.add_argument("--texts", type=Path, default=GENERAL_DEBATE)
    args = ap.parse_args()
    rng = random.Random(0)
    paragraphs = synthetic.paragraphs(args.texts)
    english = rng.sample(paragraphs, min(args.n, len(paragraphs)))
    work = Path(tempfile.mkdtemp(prefix="bench-keyword-"))
    try:
        print(f"{len(english):,} English passages from {args.texts}, "
              f"{sum(map(len, english)) / len(english):.0f} characters on average")
        dbs = compare(work, "en", english, args.reps)
        for with_009, folder in dbs.items():
            print(f"en: {'with 009   ' if with_009 else 'without 009'}: keyword latency, "
                  f"{len(EN_QUERIES)} queries x {args.rounds}: "
                  f"{latency(folder, EN_QUERIES, args.rounds)}")
        print(f"en: the triggers' check per English passage: {check_cost(dbs[True]):.2f} us "
              "(SELECT keyword_needs_fold_1(text) over all passages less SELECT length(text), "
              "median of 9)")
        t0 = time.perf_counter()
        database.connect(dbs[False], write=True).close()     # an older index's next write
        print(f"en: migrating the index without 009 to it: {time.perf_counter() - t0:.2f} s "
              f"for {len(english):,} passages")
        for lang, sentences in SENTENCES.items():
            texts = [" ".join(rng.choices(sentences, k=rng.randint(3, 6))) for _ in range(args.n)]
            dbs = compare(work, lang, texts, max(1, args.reps // 2))
            print(f"{lang}: with 009   : keyword latency, {len(QUERIES[lang])} queries x "
                  f"{args.rounds}: {latency(dbs[True], QUERIES[lang], args.rounds)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
