"""
Benchmarks for the kit (``make bench``): medians of several runs, and ratios
against a baseline measured in the same run.

    python benchmarks/bench.py [--runs N] [--skip-suite]

* ``boot()`` inside a fresh kernel (what the first cell of a lesson costs);
* a bare kernel start + shutdown (the baseline nbval pays per notebook);
* one notebook under strict nbval (pytest wall time minus pytest's own start,
  measured as a ``--collect-only`` run of the same file);
* the recorder's cost on a loop of 1,000 saves, against no recorder;
* memory kept by a recording of 100,000 saves (RSS growth of the process) and
  the size of its table and HTML;
* concurrent writes from threads (creates that failed, of 200 per run);
* the full ``make test`` wall time.

``--only boot,memory,threads`` runs some of them (names: kernel, boot, nbval,
lab, recorder, memory, threads, suite).

Results are printed and written to ``.bench/results.json`` (git-ignored).
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from signals_lab.layout import ROOT  # noqa: E402

PYTHON = sys.executable


def median_of(runs, func):
    values = [func() for _ in range(runs)]
    return statistics.median(values), values


def kernel_start_stop():
    from jupyter_client.manager import start_new_kernel

    start = time.perf_counter()
    km, kc = start_new_kernel(kernel_name="python3")
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    return time.perf_counter() - start


def boot_in_kernel():
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", cwd=str(ROOT))
    try:
        code = (
            "import time\n_t = time.perf_counter()\n"
            "from signals_lab import boot\nboot(quiet=True)\n"
            "print(time.perf_counter() - _t)"
        )
        out = []
        kc.execute_interactive(
            code,
            timeout=60,
            output_hook=lambda m: (
                out.append(m["content"].get("text", "")) if m["msg_type"] == "stream" else None
            ),
        )
        return float("".join(out).strip())
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def boot_only_notebook(folder):
    """A notebook with just the boot cell, executed canonically (for the nbval baseline)."""
    import nbformat

    from signals_lab.tools.notebooks import execute

    path = Path(folder) / "00_boot_only.ipynb"
    cell = nbformat.v4.new_code_cell("from signals_lab import boot\n\nlab = boot()")
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)
    execute(path)
    return path


def pytest_wall(*args):
    # As `make test` does: tests that run `make` use this interpreter's virtualenv.
    env = {**os.environ, "PYTHONHASHSEED": "0", "VENV": os.path.relpath(sys.prefix, ROOT)}
    start = time.perf_counter()
    result = subprocess.run(
        [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:  # a failing suite has no time worth reporting: say why
        lines = result.stdout.splitlines()
        failed = [line for line in lines if line.startswith(("FAILED", "ERROR"))]
        sys.exit("the test suite failed:\n" + "\n".join(failed or lines[-20:]))
    return time.perf_counter() - start


def lab_answers():
    """Seconds from starting `make lab`'s server to its first answer on /lab."""
    import socket
    import urllib.error
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    start = time.perf_counter()
    server = subprocess.Popen(
        [PYTHON, "-m", "signals_lab.tools.cli", "lab", "--port", str(port), "--no-browser"],
        cwd=ROOT,
        env={**os.environ, "SIGNALS_LAB_HOME": str(ROOT / ".bench" / "home")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/lab", timeout=1)
                break
            except urllib.error.HTTPError:
                break  # an answer (the login redirect or a 403) is what we time
            except OSError:
                time.sleep(0.02)
        return time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(timeout=30)


def recorder_overhead(saves=1000, runs=5):
    code = f"""
import time, statistics
from signals_lab import boot
lab = boot(quiet=True)
from tutorial_project.catalog.models import Author
def loop():
    t = time.perf_counter()
    for i in range({saves}):
        Author.objects.create(name=str(i))
    return time.perf_counter() - t
plain, recorded = [], []
for _ in range({runs}):
    lab.reset(); plain.append(loop())
    lab.reset()
    with lab.record() as rec:
        recorded.append(loop())
    assert len(rec.events) == 2 * {saves}
print(statistics.median(plain), statistics.median(recorded))
"""
    out = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, check=True)
    plain, recorded = map(float, out.stdout.split())
    return plain, recorded


def boot_in_process():
    """Seconds spent in ``boot()`` in a fresh Python process (no kernel)."""
    code = (
        "import time\nimport django.conf\n_t = time.perf_counter()\n"
        "from signals_lab import boot\nboot(quiet=True)\n"
        "print(time.perf_counter() - _t)"
    )
    out = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def recording_memory(saves=100_000):
    """MB of RSS a recording of ``saves`` creates adds, and the size of its outputs."""
    code = f"""
import gc
from signals_lab import boot
lab = boot(quiet=True)
from tutorial_project.catalog.models import Author

def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 1e6

Author.objects.create(name="warm-up")
gc.collect()
before = rss_mb()
with lab.record() as rec:
    for i in range({saves}):
        Author.objects.create(name=str(i))
gc.collect()
after = rss_mb()
table = repr(rec)
html = rec._repr_html_()
print(after - before, len(table) / 1e6, len(html) / 1e6, len(rec.events))
"""
    out = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, check=True)
    grown, table, html, kept = out.stdout.split()
    return float(grown), float(table), float(html), int(kept)


def thread_writes(threads=8, creates=200):
    """How many of ``creates`` concurrent creates from ``threads`` threads failed."""
    code = f"""
from concurrent.futures import ThreadPoolExecutor
from django.db import connections
from signals_lab import boot
lab = boot(quiet=True)
from tutorial_project.catalog.models import Author

def create(i):
    try:
        Author.objects.create(name=str(i))
        return 0
    except Exception:
        return 1
    finally:
        connections.close_all()

with ThreadPoolExecutor({threads}) as pool:
    failed = sum(pool.map(create, range({creates})))
print(failed, Author.objects.count())
"""
    out = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, check=True)
    failed, count = map(int, out.stdout.split())
    return failed, count


def nbval_costs(runs, kernel, results):
    import tempfile

    lesson = "notebooks/00_start_here.ipynb"
    (ROOT / ".bench").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=ROOT / ".bench") as folder:
        boot_only = str(boot_only_notebook(folder))
        for label, target in (("a boot-only notebook", boot_only), (lesson, lesson)):
            options = ("-p", "no:xdist", target)
            collect, _ = median_of(runs, lambda o=options: pytest_wall("--collect-only", *o))
            full, _ = median_of(runs, lambda o=options: pytest_wall(*o))
            cost = full - collect
            key = "boot_only" if target == boot_only else "lesson_00"
            results[f"nbval_{key}_s"] = cost
            results[f"nbval_{key}_ratio"] = cost / kernel
            print(
                f"  nbval on {label:<32} {cost:6.3f} s "
                f"(= {cost / kernel:.2f} x a bare kernel start + shutdown)"
            )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-suite", action="store_true")
    parser.add_argument("--only", default=None, help="comma-separated: boot,memory,threads,...")
    args = parser.parse_args()
    runs = args.runs
    wanted = set(args.only.split(",")) if args.only else None

    def want(name):
        return wanted is None or name in wanted

    results = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        ),
    }

    print(f"Benchmarks, medians of {runs} runs ({results['machine']})")
    kernel = None
    if want("kernel") or want("nbval"):
        kernel, _ = median_of(runs, kernel_start_stop)
        results["kernel_start_stop_s"] = kernel
        print(f"  bare kernel start + shutdown      {kernel:6.3f} s")

    if want("boot"):
        boot, _ = median_of(runs, boot_in_kernel)
        results["boot_in_kernel_s"] = boot
        print(f"  boot() inside a kernel            {boot:6.3f} s")
        boot, _ = median_of(runs, boot_in_process)
        results["boot_in_process_s"] = boot
        print(f"  boot() in a plain process         {boot:6.3f} s")

    if want("threads"):
        for threads in (2, 8):
            failed, count = thread_writes(threads)
            results[f"thread_writes_{threads}_failed"] = failed
            print(f"  200 creates from {threads} threads      {failed} failed, {count} rows")

    if want("memory"):
        grown, table, html, kept = recording_memory()
        results["record_100000_saves_mb"] = grown
        results["record_100000_table_mb"] = table
        results["record_100000_html_mb"] = html
        print(
            f"  recording 100,000 saves           +{grown:.0f} MB RSS, {kept} events kept, "
            f"table {table:.2f} MB, HTML {html:.2f} MB"
        )

    if want("nbval"):
        nbval_costs(runs, kernel, results)

    if want("lab"):
        lab, _ = median_of(runs, lab_answers)
        results["jupyterlab_answers_s"] = lab
        print(f"  JupyterLab answering on /lab      {lab:6.3f} s after start")

    if want("recorder"):
        plain, recorded = recorder_overhead()
        results["saves_1000_plain_s"] = plain
        results["saves_1000_recorded_s"] = recorded
        results["recorder_ratio"] = recorded / plain
        print(
            f"  1,000 saves: plain {plain:.3f} s, recorded {recorded:.3f} s "
            f"(= {recorded / plain:.2f} x)"
        )

    if want("suite") and not args.skip_suite:
        suite_runs = max(1, min(runs, 3))
        workers = str(2 * (os.cpu_count() or 1))  # make test's WORKERS (Makefile)
        suite, _ = median_of(suite_runs, lambda: pytest_wall("-n", workers, "--dist", "loadfile"))
        results["make_test_s"] = suite
        print(f"  full test suite (-n {workers})     {suite:6.1f} s (median of {suite_runs})")

    out = ROOT / ".bench"
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {out / 'results.json'}")


if __name__ == "__main__":
    main()
