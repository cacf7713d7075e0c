"""Benchmark: ``orgwatch check`` on a 20-page .docx from a cold start (a new Python process each run).

Usage: ``.venv/bin/python benchmarks/check_docx.py [--runs 5] [--pages 20] [--limit 3.0] [--by median] [--keep PATH]``

Writes a 20-page Word document (headings, paragraphs, a 12-row table per page, a header and a
footer; two pages carry unmasked ID numbers), then times ``orgwatch check FILE --format json``
``--runs`` times, each in a fresh Python process, checks that each run found the IDs, and prints
min / median / max wall-clock seconds.
Exits 1 when the median (or, with ``--by min``, the fastest run: less sensitive to a busy
machine) is above ``--limit`` (3 s, the target in the issue).
"""
from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PARAGRAPH = (
    "为贯彻落实《慈善法》和社会组织信息公开的有关要求，本中心坚持依法依规开展服务，"
    "定期向社会公开年度工作报告、财务会计报告和重大活动情况，接受登记管理机关、业务主管单位和社会公众的监督。"
)
NAMES = ["张桂兰", "李德明", "王秀英", "赵建国", "刘淑珍", "陈志强", "杨玉梅", "黄宝华", "周文斌", "吴秀兰", "徐海涛", "孙丽娟"]


def _id(seq: int) -> str:
    """A valid resident ID number (GB 11643): region, birth date, sequence, check character."""
    import datetime as dt

    from classifier.codes import ric_check_char

    born = dt.date(1935, 1, 1) + dt.timedelta(days=seq * 53 % 20000)
    body = f"500199{born:%Y%m%d}{seq % 1000:03d}"
    return body + ric_check_char(body)


def make_document(pages: int) -> bytes:
    """A .docx of about ``pages`` pages of typical public-notice content."""
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "青溪区安和社区服务中心 信息公开"
    section.footer.paragraphs[0].text = "地址：云川市青溪区安和路 1 号 电话：023-12345678"
    for page in range(1, pages + 1):
        document.add_heading(f"第{page}部分 2026年第{page}批高龄津贴发放情况公示", level=2)
        for n in range(6):
            document.add_paragraph(f"（{n + 1}）{PARAGRAPH}")
        table = document.add_table(rows=1, cols=4)
        for cell, text in zip(table.rows[0].cells, ("序号", "姓名", "身份证号", "金额")):
            cell.text = text
        for row in range(12):
            number = _id(page * 100 + row)
            shown = number if page in (7, 15) and row < 2 else number[:6] + "********" + number[-4:]
            for cell, text in zip(table.add_row().cells, (str(row + 1), NAMES[row], shown, "300元")):
                cell.text = text
        if page < pages:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def time_runs(path: Path, runs: int) -> list[float]:
    """Wall-clock seconds of each cold run of ``orgwatch check`` on ``path``."""
    command = [sys.executable, "-c", "from orgwatch.cli import main; main()", "check", str(path), "--format", "json"]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        found = json.loads(done.stdout) if done.returncode == 1 and done.stdout.strip() else []
        if not any(f["category"] == "pii_id" and f["count"] == 4 for f in found):
            raise SystemExit(f"orgwatch check did not report the 4 IDs (exit {done.returncode}): {done.stderr[-2000:]}")
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--limit", type=float, default=3.0, help="fail when the median is above this (seconds)")
    parser.add_argument("--by", choices=("median", "min"), default="median", help="the figure compared with --limit")
    parser.add_argument("--keep", type=Path, help="also save the generated .docx here")
    args = parser.parse_args(argv)
    body = make_document(args.pages)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"notice-{args.pages}-pages.docx"
        path.write_bytes(body)
        if args.keep:
            args.keep.write_bytes(body)
        times = time_runs(path, args.runs)
    median = statistics.median(times)
    print(f"orgwatch check, {args.pages}-page .docx ({len(body) // 1024} KiB), {args.runs} cold runs: "
          f"min {min(times):.2f} s, median {median:.2f} s, max {max(times):.2f} s (limit {args.limit:.1f} s)")
    judged = median if args.by == "median" else min(times)
    return 0 if judged <= args.limit else 1


if __name__ == "__main__":
    sys.exit(main())
