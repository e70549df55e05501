"""Render + sign time of an official document, beside a bare WeasyPrint page.

Prints medians of the same run side by side (ratios are what hold across
machines), documents per second on one core, and the worker's memory.
Target: one-page Japanese document rendered and signed in <= 200 ms median,
issuing worker under 250 MB resident.

    .venv/bin/python bench/bench_documents.py [iterations]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")
# A throw-away development certificate, not the one in var/.
os.environ.setdefault("DJANGO_VAR_DIR", tempfile.mkdtemp(prefix="bench-documents-"))

import django

django.setup()


def rss_mb(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn, n: int) -> list[float]:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    from weasyprint import HTML  # noqa: TID251

    from documents.defaults import sample_snapshot
    from documents.rendering import render_pdf
    from documents.services import render_and_sign
    from documents.signing import get_signer

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    snapshot = sample_snapshot()
    signer = get_signer()
    pdf = render_pdf(snapshot)

    def bare() -> bytes:
        return HTML(string="<p>Hello</p>").write_pdf()

    # Warm-up: the first render loads fonts into the process's one
    # FontConfiguration; it is paid once per worker, not per document.
    started = time.perf_counter()
    render_and_sign(snapshot)
    first = (time.perf_counter() - started) * 1000
    bare()

    results = {
        "bare one-line WeasyPrint PDF": timed(bare, n),
        "document render (PDF/A-3b)": timed(lambda: render_pdf(snapshot), n),
        "document sign (PAdES)": timed(
            lambda: signer.sign(pdf, reason="bench", location="bench"), n
        ),
        "document render + sign": timed(lambda: render_and_sign(snapshot), n),
    }
    baseline = statistics.median(results["bare one-line WeasyPrint PDF"])
    print(f"documents bench: {n} iterations, one process (one core)")
    print(f"{'':34} {'median ms':>10} {'p95 ms':>8} {'x bare':>7}")
    for name, times in results.items():
        median = statistics.median(times)
        p95 = sorted(times)[max(0, int(len(times) * 0.95) - 1)]
        print(f"{name:34} {median:10.1f} {p95:8.1f} {median / baseline:7.1f}")
    total = statistics.median(results["document render + sign"])
    print(f"first document in a fresh worker: {first:.0f} ms (fonts loaded once)")
    print(f"documents per second per core: {1000 / total:.1f}")
    print(
        f"this bench process: {rss_mb():.0f} MB resident now, "
        f"{peak_rss_mb():.0f} MB peak (it also renders the bare pages)"
    )
    worker_now, worker_peak = _issuing_worker_memory(n)
    print(
        f"issuing worker ({n} documents, nothing else): {worker_now:.0f} MB "
        f"resident, {worker_peak:.0f} MB peak"
    )
    target_ok = total <= 200 and worker_peak < 250
    print("target (<= 200 ms median, < 250 MB):", "met" if target_ok else "NOT met")


def _issuing_worker_memory(n: int) -> tuple[float, float]:
    """Resident memory of a process that does only what an issuing worker does."""
    import subprocess

    out = subprocess.run(
        [sys.executable, __file__, "--worker", str(n)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return float(out[-2]), float(out[-1])


def worker(n: int) -> None:
    # What documents.services.document_issue does per document in a Celery
    # worker, minus the database and the storage: render, sign, give freed
    # memory back.
    from core.background import mark_worker_process

    mark_worker_process()  # as in `run_worker` or a Celery child
    from documents.defaults import sample_snapshot
    from documents.rendering import release_memory
    from documents.services import render_and_sign

    snapshot = sample_snapshot()
    for _ in range(n):
        render_and_sign(snapshot)
        release_memory()
    # VmHWM, not ru_maxrss: a child started by fork+exec inherits its
    # parent's ru_maxrss (the bench process's own peak).
    print(f"{rss_mb():.1f} {rss_mb('VmHWM'):.1f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(int(sys.argv[2]))
    else:
        main()
