"""Benchmark: full analysis of a page (every rule detector + the model) against jieba alone.

    .venv/bin/python benchmarks/analysis.py [--text PATH] [--page-chars 3000] [--repeat 3]

Splits the benchmark text (PRC statutes, /work/shared/bench/laws-zh.txt) into pages and
measures, on one core, characters per second of (a) ``jieba.lcut`` alone, (b) the full
analysis: ``classifier.analyze`` with the model on (every registered detector, then the model's
findings and appeal passages, all sharing ``Document.tokens``), (c) the rule detectors alone
and (d) the model alone (tokenising included). The goal is (b) >= 0.8 x (a).
It also prints each detector's share, and how many statute pages (all benign) would get a
model finding, split by whether the statute's passages are in the model's background data.
Times are CPU time of this process (``time.process_time``), so other processes on the machine
disturb them little; the three are timed chunk by chunk in turn, each chunk keeping its best of
``--repeat`` runs.
"""
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # single core, before numpy
    os.environ[_var] = "1"

import argparse  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jieba  # noqa: E402

from classifier import Document, OrgContext, analyze  # noqa: E402
from classifier.model import default_scorer, model_detections  # noqa: E402
from classifier.model.pagelevel import law_pages  # noqa: E402
from classifier.registry import _instances, configure_model  # noqa: E402

DEFAULT_TEXT = Path("/work/shared/bench/laws-zh.txt")
CHUNK = 25  # pages timed together


def pages_of(text: str, size: int) -> list[str]:
    return [text[i:i + size] for i in range(0, len(text), size)]


def full_analysis(page: str, ctx: OrgContext) -> list:
    configure_model(True)
    return analyze(Document(text=page), ctx)


def rules_alone(page: str, ctx: OrgContext) -> list:
    configure_model(False)
    return analyze(Document(text=page), ctx)


def detector_times(pages: list[str], scorer, ctx: OrgContext, repeat: int) -> dict[str, float]:
    """Seconds each detector and the model take over all pages (tokens computed beforehand),
    each the best of ``repeat`` runs."""
    docs = [Document(text=p) for p in pages]
    for d in docs:
        d.tokens  # noqa: B018 - tokenise outside the timings

    def model(d: Document) -> None:
        scorer.score_document(d)
        model_detections(d, ctx, [], scorer)

    steps = {type(det).__name__: (lambda d, det=det: list(det.detect(d, ctx))) for det in _instances()}
    steps["model (score_document + model_detections)"] = model
    out = {}
    for name, step in steps.items():
        out[name] = float("inf")
        for _ in range(repeat):
            scorer._last = None  # no help from the scorer's one-page cache
            start = time.process_time()
            for d in docs:
                step(d)
            out[name] = min(out[name], time.process_time() - start)
    return out


def false_alarms(path: Path, size: int, scorer, ctx: OrgContext) -> dict:
    """Model findings on statute pages, statutes whose passages trained the model kept apart."""
    return {group: (len(texts), sum(bool(model_detections(Document(text=t), ctx, [], scorer)) for t in texts))
            for group, texts in law_pages(path, size).items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", type=Path, default=DEFAULT_TEXT)
    parser.add_argument("--page-chars", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    jieba.setLogLevel(logging.WARNING)
    text = args.text.read_text(encoding="utf-8")
    pages = pages_of(text, args.page_chars)
    ctx = OrgContext()
    scorer = default_scorer()
    jieba.lcut("预热")  # load dictionaries outside the timings
    full_analysis("预热", ctx)

    # Chunks of CHUNK pages are timed in turn (jieba, full, rules, model) and each chunk keeps
    # its best of --repeat runs: load from other processes hits all alike and spikes are dropped,
    # while a chunk is large enough that one measurement does not warm the caches for the next.
    steps = (
        lambda page: jieba.lcut(page),
        lambda page: full_analysis(page, ctx),
        lambda page: rules_alone(page, ctx),
        lambda page: scorer.score_document(Document(text=page)),
    )
    chunks = [pages[i:i + CHUNK] for i in range(0, len(pages), CHUNK)]
    best = [[float("inf")] * len(steps) for _ in chunks]
    for _ in range(args.repeat):
        for c, chunk in enumerate(chunks):
            for k, step in enumerate(steps):
                start = time.process_time()
                for page in chunk:
                    step(page)
                best[c][k] = min(best[c][k], time.process_time() - start)
    best_jieba, best_full, best_rules, best_model = (sum(b[k] for b in best) for k in range(len(steps)))
    n = len(text)
    print(f"text: {args.text} ({n:,} characters, {len(pages)} pages of {args.page_chars})")
    print(f"(a) jieba.lcut alone:            {n / best_jieba:12,.0f} chars/s")
    print(f"(b) full analysis (rules+model): {n / best_full:12,.0f} chars/s, ratio (b)/(a) {best_jieba / best_full:.3f}"
          "   (goal >= 0.8)")
    print(f"(c) rules alone:                 {n / best_rules:12,.0f} chars/s, ratio {best_jieba / best_rules:.3f}")
    print(f"(d) model alone (tokenising too):{n / best_model:12,.0f} chars/s, ratio {best_jieba / best_model:.3f}")
    print("per-page milliseconds (tokens shared, tokenising not included):")
    per = detector_times(pages, scorer, ctx, args.repeat)
    for name, seconds in sorted(per.items(), key=lambda kv: -kv[1]):
        print(f"    {name:44s} {seconds / len(pages) * 1e3:7.3f}")
    print(f"    {'jieba.lcut (for scale)':44s} {best_jieba / len(pages) * 1e3:7.3f}")
    fa = false_alarms(args.text, args.page_chars, scorer, ctx)
    for group, (total, flagged) in fa.items():
        print(f"model findings on statute pages ({group} statutes): {flagged}/{total}")


if __name__ == "__main__":
    main()
