"""Where the model's files live: constants only, so that the CLI can name them as option defaults
without importing scikit-learn."""
from __future__ import annotations

from pathlib import Path

#: Where the shipped model lives.
SHIPPED_DIR = Path(__file__).resolve().parent.parent / "model_data"
#: The benchmark text (see /work/shared/bench/SOURCES.txt); skipped when absent.
LAWS_TEXT = Path("/work/shared/bench/laws-zh.txt")
