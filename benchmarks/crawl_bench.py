"""Crawl benchmark: a bare Scrapy crawl against ``orgwatch scan`` on one generated loopback site.

    .venv/bin/python benchmarks/crawl_bench.py                # 2,000 pages, about a minute
    .venv/bin/python benchmarks/crawl_bench.py --rounds 3     # medians, for a busy machine
    .venv/bin/python benchmarks/crawl_bench.py --pages 10000  # the memory figure

In one run, against one site served by ``crawl_site.py`` on 127.0.0.1 (its own process):

(a) a bare Scrapy spider that only follows links (``crawl_bare.py``), pages/s: run just before
    and again just after the first scan, and their mean taken, since a shared machine's speed
    drifts (on one VM the same bare crawl took 12 to 20 s within minutes);
(b) ``orgwatch.scan.run_scan`` end to end (crawl child process, analysis, SQLite), pages/s,
    at the same concurrency; goal: at least half the bare crawl's rate;
(c) the same scan again on the unchanged site: time and pages analysed; goal: 5x faster, 0;
(b'), (c') the crawl process alone (``crawlers.runner.run_crawl``, events read and dropped),
    first and unchanged, to tell the crawl's share from the analysis and database's;
(d) peak RSS of each process: the bare crawl (``wait4``), the crawl child (its ``VmHWM``,
    polled; a ``wait4`` figure would include the parent's memory at the fork) and the scan's
    parent (``getrusage``).

Prints a Markdown table, the ratios against the goals and the machine. Every measurement runs
in a fresh process (each scan too, on the same database). Nothing leaves 127.0.0.1.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable
sys.path.insert(0, str(ROOT))


class CrawlPeak:
    """Polls the peak RSS (``VmHWM``, KiB) of this process's ``crawlers.run`` children."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval, self.peak = interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> CrawlPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        """Find the child once by walking /proc, then read only its status: walking /proc at
        every poll cost the scan about a tenth of its parent's CPU (this thread shares its GIL)."""
        me, child = str(os.getpid()), None
        while not self._stop.wait(self.interval):
            if child is None:
                child = self._find(me)
                if child is None:
                    continue
            try:
                status = (child / "status").read_text()
            except OSError:
                child = None  # it has ended; a later crawl is another process
                continue
            hwm = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)
            self.peak = max(self.peak, hwm)

    @staticmethod
    def _find(parent: str) -> Path | None:
        for proc in Path("/proc").iterdir():
            try:
                if proc.name.isdigit() and (proc / "stat").read_text().rsplit(")", 1)[1].split()[1] == parent \
                        and b"crawlers.run" in (proc / "cmdline").read_bytes():
                    return proc
            except OSError:
                continue
        return None


def run_child(args: list[str], env: dict[str, str]) -> tuple[dict, float, int]:
    """Run a child process; return its last JSON output line, its wall time and its peak RSS
    in KiB (``wait4``)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=err, cwd=ROOT, env=env)
        assert process.stdout is not None
        out = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        process.stdout.close()
        wall = time.perf_counter() - started
        if process.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{Path(args[1]).name} failed:\n{err.read().decode(errors='replace')[-3000:]}")
    lines = [line for line in out.decode().splitlines() if line.startswith("{")]
    return json.loads(lines[-1]), wall, usage.ru_maxrss


def start_site(pages: int) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([PYTHON, str(HERE / "crawl_site.py"), "--pages", str(pages)], stdout=subprocess.PIPE, cwd=ROOT)
    assert process.stdout is not None
    return process, process.stdout.readline().decode().strip()


def crawl_settings(pages: int, concurrency: int) -> dict:
    return {"allow_private_networks": True, "download_delay": 0, "autothrottle": False,
            "max_pages": pages + 1000, "max_bytes": pages * 100_000, "concurrency_per_domain": concurrency}


def write_config(folder: Path, base: str, pages: int, concurrency: int) -> Path:
    """Settings and registry for one organisation whose website is the generated site."""
    from classifier.codes import uscc_check_char

    uscc = "52500199MJQ111222" + uscc_check_char("52500199MJQ111222")
    registry = {"organizations": [{
        "id": "bench", "name": "青禾公益服务中心", "type": "social_service", "uscc": uscc,
        "registration_authority": "云川市青溪区民政局", "channels": [{"kind": "website", "url": base + "/"}],
    }]}
    (folder / "registry.yaml").write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    settings = {"data_dir": "data", "registry": "registry.yaml", "crawl": crawl_settings(pages, concurrency)}
    path = folder / "orgwatch.yaml"
    path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    return path


def scan_worker(config: str) -> None:
    """In a fresh process: one scan; print its figures as one JSON line."""
    from config.settings import load_settings
    from orgwatch.runtime import Runtime
    from orgwatch.scan import run_scan

    rt = Runtime(settings=load_settings(config))
    rt.db, rt.registry  # noqa: B018 - migrate and load before the clock starts
    with CrawlPeak() as peak:
        started = time.perf_counter()
        summary = run_scan(rt, deliver=False)
        seconds = time.perf_counter() - started
    print(json.dumps({
        "seconds": seconds, "pages": summary.pages, "analysed": summary.pages_analysed,
        "errors": summary.fetch_errors, "findings": summary.findings_new, "crawl_rss_kib": peak.peak,
        "parent_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }))


def crawl_alone(base: str, pages: int, concurrency: int, known: dict, spool: Path) -> tuple[dict, dict]:
    """The crawl process alone (events read and dropped, as little work as a reader can do);
    returns its figures and the ``known`` a scan service would pass next time."""
    from crawlers.items import ChannelJob, CrawlJob, PageItem
    from crawlers.runner import run_crawl
    from config.settings import CrawlSettings

    job = CrawlJob([ChannelJob(key="1", org_id="bench", kind="website", url=base + "/", known=known)],
                   CrawlSettings(**crawl_settings(pages, concurrency)).model_dump(), str(spool))
    seen: dict = {}
    with CrawlPeak() as peak:
        started = time.perf_counter()
        for event in run_crawl(job):
            if isinstance(event, PageItem):
                previous = known.get(event.url, {})
                seen[event.url] = {"etag": event.etag or previous.get("etag"), "hash": event.content_hash,
                                   "last_modified": event.last_modified or previous.get("last_modified"),
                                   "links": event.links, "kind": event.kind}
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "pages": len(seen), "crawl_rss_kib": peak.peak}, seen


@dataclass
class Round:
    """One repetition of every measurement."""

    bare: dict
    bare_again: dict = field(default_factory=dict)  # the same bare crawl, conditional, of the unchanged site
    bare_after: dict = field(default_factory=dict)  # a first bare crawl again, right after the first scan
    scans: list[dict] = field(default_factory=list)  # first, unchanged
    alone: list[dict] = field(default_factory=list)  # first, unchanged

    @property
    def bare_wall(self) -> float:
        """The bare crawl's time: the mean of the crawls just before and just after the first
        scan, so that a machine whose speed drifts (a shared VM) affects both sides alike."""
        walls = [self.bare["wall"]] + ([self.bare_after["wall"]] if self.bare_after else [])
        return sum(walls) / len(walls)

    @property
    def bare_rate(self) -> float:
        return self.bare["pages"] / self.bare_wall


def run_round(base: str, pages: int, concurrency: int, env: dict[str, str]) -> Round:
    with tempfile.TemporaryDirectory(prefix="orgwatch-bench-") as tmp:
        bare_args = [PYTHON, str(HERE / "crawl_bare.py"), base + "/", "--concurrency", str(concurrency),
                     "--known", str(Path(tmp) / "bare-known.json")]
        bare, wall, rss = run_child(bare_args, env)
        result = Round({**bare, "wall": wall, "rss_kib": rss})
        print(f"  (a) bare crawl: {bare['pages']} pages in {wall:.1f} s", file=sys.stderr)
        again, wall, rss = run_child(bare_args, env)
        result.bare_again = {**again, "wall": wall, "rss_kib": rss}
        print(f"  (a') bare crawl, conditional: {again['pages']} pages in {wall:.1f} s", file=sys.stderr)
        config = str(write_config(Path(tmp), base, pages, concurrency))
        for label in ("(b) first scan", "(c) unchanged re-scan"):
            scan, _, _ = run_child([PYTHON, str(HERE / "crawl_bench.py"), "--scan-worker", config], env)
            print(f"  {label}: {scan['pages']} pages in {scan['seconds']:.1f} s, {scan['analysed']} analysed", file=sys.stderr)
            result.scans.append(scan)
            if not result.bare_after:
                after_args = [*bare_args[:-1], str(Path(tmp) / "bare-after-known.json")]
                after, wall, rss = run_child(after_args, env)
                result.bare_after = {**after, "wall": wall, "rss_kib": rss}
                print(f"  (a) bare crawl again, after the first scan: {after['pages']} pages in {wall:.1f} s", file=sys.stderr)
        known: dict = {}
        for number, label in enumerate(("(b') crawl alone, first", "(c') crawl alone, unchanged")):
            alone, known = crawl_alone(base, pages, concurrency, known, Path(tmp) / f"spool-{number}")
            print(f"  {label}: {alone['pages']} pages in {alone['seconds']:.1f} s", file=sys.stderr)
            result.alone.append(alone)
    return result


def machine() -> str:
    import scrapy

    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "?")
    return (f"{os.cpu_count()} CPU ({model}), Python {platform.python_version()}, Scrapy {scrapy.__version__}, "
            f"{platform.system()} {platform.release()}, load average {os.getloadavg()[0]:.2f} at the end")


def report(pages: int, concurrency: int, rounds: list[Round]) -> str:
    """A Markdown table of the median figures, the ratios against the goals, the machine."""
    med = statistics.median
    mib = lambda kib: f"{kib / 1024:.0f} MiB" if kib else "-"  # noqa: E731
    rows = ["| run | pages | seconds | pages/s | pages analysed | peak RSS, crawl process | peak RSS, scan parent |",
            "|---|---:|---:|---:|---:|---:|---:|",
            f"| (a) bare Scrapy crawl | {med(r.bare['pages'] for r in rounds):.0f} | {med(r.bare_wall for r in rounds):.1f} "
            f"| {med(r.bare_rate for r in rounds):.0f} | - | {mib(med(r.bare['rss_kib'] for r in rounds))} | - |",
            f"| (a') bare Scrapy crawl, conditional, unchanged site | {med(r.bare_again['pages'] for r in rounds):.0f} "
            f"| {med(r.bare_again['wall'] for r in rounds):.1f} "
            f"| {med(r.bare_again['pages'] / r.bare_again['wall'] for r in rounds):.0f} | - "
            f"| {mib(med(r.bare_again['rss_kib'] for r in rounds))} | - |"]
    labels = {("scans", 0): "(b) orgwatch scan, first", ("scans", 1): "(c) orgwatch scan, unchanged site",
              ("alone", 0): "(b') crawl process alone, first", ("alone", 1): "(c') crawl process alone, unchanged"}
    for (kind, index), label in labels.items():
        runs = [getattr(r, kind)[index] for r in rounds]
        analysed = f"{med(x['analysed'] for x in runs):.0f}" if kind == "scans" else "-"
        parent = mib(med(x["parent_rss_kib"] for x in runs)) if kind == "scans" else "-"
        rows.append(f"| {label} | {med(x['pages'] for x in runs):.0f} | {med(x['seconds'] for x in runs):.1f} "
                    f"| {med(x['pages'] / x['seconds'] for x in runs):.0f} | {analysed} | {mib(med(x['crawl_rss_kib'] for x in runs))} | {parent} |")
    ratios = [r.scans[0]["pages"] / r.scans[0]["seconds"] / r.bare_rate for r in rounds]
    speedups = [r.scans[0]["seconds"] / r.scans[1]["seconds"] for r in rounds]
    crawl_ratios = [r.alone[0]["pages"] / r.alone[0]["seconds"] / r.bare_rate for r in rounds]
    crawl_speedups = [r.alone[0]["seconds"] / r.alone[1]["seconds"] for r in rounds]
    bare_speedups = [r.bare_wall / r.bare_again["wall"] for r in rounds]
    analysed = max(r.scans[1]["analysed"] for r in rounds)
    verdict = lambda ok: "met" if ok else "NOT met"  # noqa: E731
    each = lambda values: ", ".join(f"{v:.2f}" for v in values)  # noqa: E731
    rows += [
        "",
        f"- site: {pages} pages, concurrency per domain {concurrency}; medians of {len(rounds)} round(s);"
        " every time includes starting the crawl process; (a) is the mean of a bare crawl just before and one"
        " just after the first scan (rounds: " + ", ".join(f"{r.bare['wall']:.1f}/{r.bare_after['wall']:.1f} s" for r in rounds) + ")",
        f"- scan rate / bare rate: {med(ratios):.2f} (goal >= 0.5: {verdict(med(ratios) >= 0.5)}; rounds: {each(ratios)});"
        f" crawl process alone / bare: {med(crawl_ratios):.2f}",
        f"- unchanged re-scan: {med(speedups):.1f}x faster than the first scan (goal >= 5x: {verdict(med(speedups) >= 5)};"
        f" rounds: {each(speedups)}), {analysed} pages analysed (goal 0: {verdict(analysed == 0)});"
        f" crawl process alone: {med(crawl_speedups):.1f}x; bare Scrapy's own conditional re-crawl: "
        f"{med(bare_speedups):.1f}x faster than its first crawl (rounds: {each(bare_speedups)})",
        f"- first scan: {rounds[0].scans[0]['errors']} fetch errors, {rounds[0].scans[0]['findings']} new findings",
        f"- machine: {machine()}",
    ]
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description="bare Scrapy vs orgwatch scan on a generated loopback site")
    parser.add_argument("--pages", type=int, default=2000, help="pages in the generated site (default 2000)")
    parser.add_argument("--concurrency", type=int, default=4, help="requests per domain, both crawls (default 4, orgwatch's default)")
    parser.add_argument("--rounds", type=int, default=1, help="repeat everything and report medians (default 1)")
    parser.add_argument("--scan-worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scan_worker:
        scan_worker(args.scan_worker)
        return
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        os.environ.pop(name, None)  # loopback only
    env = dict(os.environ)
    site, base = start_site(args.pages)
    try:
        rounds = []
        for number in range(1, args.rounds + 1):
            print(f"round {number}/{args.rounds}, site {base}/ ({args.pages} pages)", file=sys.stderr)
            rounds.append(run_round(base, args.pages, args.concurrency, env))
        print(report(args.pages, args.concurrency, rounds))
    finally:
        site.terminate()
        site.wait(timeout=10)


if __name__ == "__main__":
    main()
