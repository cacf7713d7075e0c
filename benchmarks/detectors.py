"""Benchmark: every registered rule detector (``classifier.analyze``) against raw ``jieba.lcut``.

    .venv/bin/python benchmarks/detectors.py [--text PATH] [--page-chars 2000] [--repeat 3]

Splits the benchmark text (PRC statutes, /work/shared/bench/laws-zh.txt) into pages of about
``--page-chars`` characters (cut at a line end where one is near) and measures, in this one
process, characters per second of ``analyze`` and of ``jieba.lcut`` on the same pages (jieba
initialised before timing). Also times normalisation and each detector alone (each on fresh
``Document`` objects, so each row includes normalising the page once), and counts the findings on
the statutes (all of them ordinary text: any finding there is a false one). Times are CPU time of
this process (``time.process_time``), so other processes on a shared machine disturb them little.
Prints a Markdown table with the machine it ran on. Best of ``--repeat`` passes is kept.
"""
from __future__ import annotations

import argparse
import collections
import logging
import os
import platform
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jieba  # noqa: E402

from classifier import Document, OrgContext, analyze  # noqa: E402
from classifier.registry import all_detectors  # noqa: E402
from classifier.textnorm import normalise  # noqa: E402

DEFAULT_TEXT = Path("/work/shared/bench/laws-zh.txt")


def pages_of(text: str, size: int) -> list[str]:
    """Pages of about ``size`` characters, each ending at a newline within the last fifth if there is one."""
    pages, start = [], 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = text.rfind("\n", start + size * 4 // 5, end)
            end = cut + 1 if cut > 0 else end
        pages.append(text[start:end])
        start = end
    return pages


def best_time(fn: Callable[[str], object], pages: list[str], repeat: int, before: Callable[[], None] = lambda: None) -> float:
    """The fastest of ``repeat`` passes of ``fn`` over ``pages``, in CPU seconds of this process."""
    best = float("inf")
    for _ in range(repeat):
        before()
        start = time.process_time()
        for page in pages:
            fn(page)
        best = min(best, time.process_time() - start)
    return best


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    except OSError:
        pass
    versions = []
    for package in ("jieba", "opencc", "ahocorasick-rs"):
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} ?")
    return (f"{cpu}, {os.cpu_count()} logical CPUs; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; {', '.join(versions)}; single process")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", type=Path, default=DEFAULT_TEXT, help="UTF-8 text to split into pages")
    parser.add_argument("--page-chars", type=int, default=2000, help="characters per page (about)")
    parser.add_argument("--repeat", type=int, default=3, help="passes per measurement; the fastest counts")
    args = parser.parse_args(argv)

    text = args.text.read_text(encoding="utf-8")
    pages = pages_of(text, args.page_chars)
    chars = sum(len(p) for p in pages)
    ctx = OrgContext()
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    analyze(Document(text=pages[0]), ctx)  # load detectors, word lists and packs before timing

    clear = normalise.cache_clear
    rows = [
        ("jieba.lcut", best_time(jieba.lcut, pages, args.repeat)),
        ("classifier.analyze (all detectors)", best_time(lambda p: analyze(Document(text=p), ctx), pages,
                                                         args.repeat, clear)),
        ("textnorm.normalise", best_time(normalise.__wrapped__, pages, args.repeat)),
    ]
    for name, cls in sorted(all_detectors().items()):
        detector = cls()
        rows.append((f"detector {name}", best_time(
            lambda p, d=detector: list(d.detect(Document(text=p), ctx)), pages, args.repeat, clear)))

    findings = collections.Counter(d.category for p in pages for d in analyze(Document(text=p), ctx))
    jieba_rate = chars / rows[0][1]
    print(f"**Benchmark** `{args.text.name}`: {chars:,} characters in {len(pages):,} pages of about "
          f"{args.page_chars:,}; best of {args.repeat}. Machine: {machine()}.\n")
    print("| what | seconds | chars/s | vs jieba.lcut |")
    print("| --- | ---: | ---: | ---: |")
    for name, seconds in rows:
        rate = chars / seconds
        print(f"| {name} | {seconds:.3f} | {rate:,.0f} | {rate / jieba_rate:.2f}x |")
    print(f"\nCPU seconds. Detector rows include normalising the page (done once per `Document`, shared by "
          f"the detectors inside `analyze`). "
          f"Findings on the statutes: {dict(findings) or 'none'}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
