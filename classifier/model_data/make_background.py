"""Write ``background.jsonl`` (benign statute passages that teach the model formal legal prose)
and ``validation_pages.jsonl`` (the same statutes cut into 2,000-character pages, to choose thresholds).

    .venv/bin/python classifier/model_data/make_background.py [--text /work/shared/bench/laws-zh.txt]

The benchmark text (PRC statutes, see /work/shared/bench/SOURCES.txt) is split into statutes at
its ``# `` headings; only the 1st, 3rd, 5th ... statute is used (the others stay unseen, to
measure false findings on pages the model never saw). Their passages, cut as scanned pages are
(:func:`classifier.model.passages.passages`) and without ``#`` headings, are sampled with a
fixed seed. Each record's ``source`` names its statute. The validation pages are every
2,000 characters of the same statutes; their ``page`` is the statute's ``source``, so training
scores each with the cross-validation model that saw none of that statute. See docs/data-card.md.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from classifier.model.passages import passages  # noqa: E402

OUT = Path(__file__).resolve().parent / "background.jsonl"
PAGES_OUT = Path(__file__).resolve().parent / "validation_pages.jsonl"
PAGE_CHARS = 2000
DEFAULT_TEXT = Path("/work/shared/bench/laws-zh.txt")
SAMPLE = 1200
SEED = 0


def _statutes(text: str) -> list[tuple[str, str]]:
    """(name, text) of the statutes used: the 1st, 3rd, 5th ... of ``text``."""
    statutes = [s for s in re.split(r"(?m)^(?=# )", text) if s.strip()]
    return [(s.splitlines()[0].lstrip("# ").strip(), s) for s in statutes[::2]]


def background(text: str, size: int = SAMPLE, seed: int = SEED) -> list[dict]:
    """``size`` passages of the statutes used, as benign examples."""
    pool = [(name, p.text) for name, s in _statutes(text) for p in passages(s) if not p.text.startswith("#")]
    return [{"text": t, "label": "benign", "source": f"background: {name}"}
            for name, t in random.Random(seed).sample(pool, size)]


def validation_pages(text: str, size: int = PAGE_CHARS) -> list[dict]:
    """The statutes used, cut into pages of ``size`` characters."""
    return [{"text": s[i:i + size], "page": f"background: {name}", "source": f"validation page: {name}"}
            for name, s in _statutes(text) for i in range(0, len(s), size)]


def _write(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    print(f"{len(records)} records written to {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", type=Path, default=DEFAULT_TEXT)
    args = parser.parse_args()
    text = args.text.read_text(encoding="utf-8")
    _write(OUT, background(text))
    _write(PAGES_OUT, validation_pages(text))


if __name__ == "__main__":
    main()
