"""What every ``orgwatch`` command loads before it does anything: not Scrapy (the crawl runs in
its own process) and not scikit-learn (only the model commands and an enabled model need it).
Together they made ``orgwatch --help`` take 3.6 s instead of under 2."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("scrapy", "twisted", "sklearn", "scipy")


def loaded_after(code: str) -> set[str]:
    probe = f"import sys, json\n{code}\nprint(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_the_cli_and_the_scan_service_load_neither_scrapy_nor_scikit_learn() -> None:
    loaded = loaded_after("import orgwatch.cli, orgwatch.scan  # the CLI module registers every command")
    assert "click" in loaded and "sqlalchemy" in loaded  # the probe saw the CLI's own imports
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_the_model_package_still_gives_its_names() -> None:
    loaded = loaded_after("from classifier.model import build_pipeline, passages, ModelError\n"
                          "assert callable(passages) and callable(build_pipeline)")
    assert "sklearn" in loaded
