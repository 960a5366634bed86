"""
Benchmarks for the kit (``make bench``): medians of several runs, and ratios
against a baseline measured in the same run.

    python benchmarks/bench.py [--runs N] [--skip-suite]

* ``boot()`` inside a fresh kernel (what the first cell of a lesson costs);
* a bare kernel start + shutdown (the baseline nbval pays per notebook);
* one notebook under strict nbval (pytest wall time minus pytest's own start,
  measured as a ``--collect-only`` run of the same file);
* the recorder's cost on a loop of 1,000 saves, against no recorder;
* the full ``make test`` wall time.

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
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    start = time.perf_counter()
    subprocess.run(
        [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-suite", action="store_true")
    args = parser.parse_args()
    runs = args.runs
    lesson = "notebooks/00_start_here.ipynb"
    results = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        ),
    }

    print(f"Benchmarks, medians of {runs} runs ({results['machine']})")
    kernel, _ = median_of(runs, kernel_start_stop)
    results["kernel_start_stop_s"] = kernel
    print(f"  bare kernel start + shutdown      {kernel:6.3f} s")

    boot, _ = median_of(runs, boot_in_kernel)
    results["boot_in_kernel_s"] = boot
    print(f"  boot() inside a kernel            {boot:6.3f} s")

    import tempfile

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

    lab, _ = median_of(runs, lab_answers)
    results["jupyterlab_answers_s"] = lab
    print(f"  JupyterLab answering on /lab      {lab:6.3f} s after start")

    plain, recorded = recorder_overhead()
    results["saves_1000_plain_s"] = plain
    results["saves_1000_recorded_s"] = recorded
    results["recorder_ratio"] = recorded / plain
    print(
        f"  1,000 saves: plain {plain:.3f} s, recorded {recorded:.3f} s "
        f"(= {recorded / plain:.2f} x)"
    )

    if not args.skip_suite:
        suite_runs = max(1, min(runs, 3))
        suite, _ = median_of(suite_runs, lambda: pytest_wall("-n", "auto", "--dist", "loadfile"))
        results["make_test_s"] = suite
        print(f"  full test suite (-n auto)         {suite:6.1f} s (median of {suite_runs})")

    out = ROOT / ".bench"
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {out / 'results.json'}")


if __name__ == "__main__":
    main()
