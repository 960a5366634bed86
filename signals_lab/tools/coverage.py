"""
Which lesson shows which built-in signal, measured (``make coverage``).

Every lesson runs in a fresh kernel with a recording open for its whole life
(``SIGNALS_LAB_COVERAGE``); a signal counts as covered by a lesson when a
receiver written in the lesson or in ``tutorial_project`` (not one of Django's
own) ran for it. The list of built-in signals comes from the installed Django
(:func:`signals_lab.runtime.names.builtin_signals`), never typed in.
"""

import json
import os
import re
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..layout import LESSONS, ROOT, notebook_paths
from ..runtime.names import builtin_signals
from .kernel import run_in_fresh_kernel

README = ROOT / "README.md"
TABLE_START = "<!-- signal-coverage:start -->"
TABLE_END = "<!-- signal-coverage:end -->"


# The receivers of the lesson and of the project (Django's own come and go
# with garbage collection, e.g. one per model class a lesson builds).
PROBE = (
    "import gc as _probe_gc\n"
    "from signals_lab import listeners as _probe_listeners\n"
    "_probe_gc.collect()\n"
    "print(_probe_listeners(include_django=False).table())"
)


def _comparable(outputs):
    """What a learner reads in a cell's outputs (no counts, no metadata)."""
    shown = []
    for output in outputs:
        if output.output_type == "stream":
            # Stream chunks split differently from run to run: join them (as nbval does).
            if shown and shown[-1][0] == output.name:
                shown[-1] = (output.name, shown[-1][1] + output.text)
            else:
                shown.append((output.name, output.text))
        elif output.output_type == "error":
            shown.append(("error", output.ename, output.evalue))
        else:
            data = output.get("data", {})
            shown.append(tuple(sorted((k, str(v)) for k, v in data.items())))
    return shown


_REQUIRES = re.compile(r"django\.VERSION\s*<\s*\((\d+),\s*(\d+)\)")


def required_django(path):
    """
    The Django version a lesson needs, ``(6, 0)``, or None. A lesson that
    needs a newer Django than 5.2 says so in its first code cell, with
    ``if django.VERSION < (6, 0): raise ...``; that line is the one source.
    """
    import nbformat

    nb = nbformat.read(path, as_version=4)
    first = next((c.source for c in nb.cells if c.cell_type == "code"), "")
    match = _REQUIRES.search(first)
    return (int(match[1]), int(match[2])) if match else None


def runs_here(path):
    """True when the installed Django can run the lesson at ``path``."""
    import django

    needed = required_django(path)
    return needed is None or django.VERSION[:2] >= needed


def lesson_coverage(path, twice=False, then=None):
    """
    Run one lesson in a fresh kernel with the dispatcher instrumented
    (``SIGNALS_LAB_COVERAGE``); return ``(signals, differences)``.

    ``signals``: sorted names of the signals for which a receiver written in
    the lesson or in tutorial_project (not one of Django's own) ran.
    ``differences``: every code cell that raised (outside
    ``NBVAL_RAISES_EXCEPTION`` cells, the final probe cell included), and
    with ``twice=True`` (the lesson run twice in one kernel, "Run all" twice,
    each time followed by a cell listing every connected receiver) every cell
    whose second run showed something else than the first.

    ``then``: a list of code cells (``nbformat`` nodes) to run afterwards in
    the same kernel, e.g. a test's re-runs of single cells; their outputs are
    filled in place. They are not in ``differences`` (the signals their
    receivers ran for do count).
    """
    import nbformat

    folder = tempfile.mkdtemp(prefix="signals-lab-coverage-")
    try:
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        cells = [nbformat.v4.new_code_cell(c.source) for c in code]
        cells.append(nbformat.v4.new_code_cell(PROBE))
        if twice:
            cells += [nbformat.v4.new_code_cell(c.source) for c in cells]
        nb.cells = cells + list(then or ())
        # A learner's kernel has no DJANGO_SETTINGS_MODULE (boot() sets it).
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        run_in_fresh_kernel(nb, Path(path).parent, env={**env, "SIGNALS_LAB_COVERAGE": folder})
        seen = set()
        for dump in Path(folder).glob("*.json"):
            for signal, receivers in json.loads(dump.read_text()).items():
                if any(not r.startswith("django.") for r in receivers):
                    seen.add(signal)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    differences = [
        f"code cell {index + 1} raised {output.ename}"
        for index, cell in enumerate(cells)
        if "NBVAL_RAISES_EXCEPTION" not in cell.source
        for output in cell.outputs
        if output.output_type == "error"
    ]
    if twice:
        half = len(cells) // 2
        for index in range(half):
            first, second = cells[index], cells[index + half]
            if _comparable(first.outputs) != _comparable(second.outputs):
                label = "receivers connected" if index == half - 1 else f"code cell {index + 1}"
                differences.append(label)
    return sorted(seen), differences


def signal_coverage(paths, workers=2, twice=False):
    """
    :func:`lesson_coverage` for every lesson of ``paths`` this Django can run,
    ``workers`` kernels at a time; returns ``(coverage, differences)``:
    ``{signal: [lesson, ...]}`` and ``{lesson: [difference, ...]}``.
    """

    def run(path):
        return (Path(path).stem, *lesson_coverage(path, twice=twice))

    coverage, differences = {}, {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for lesson, signals, different in pool.map(run, [p for p in paths if runs_here(p)]):
            for signal in signals:
                coverage.setdefault(signal, []).append(lesson)
            if different:
                differences[lesson] = different
    return {signal: sorted(lessons) for signal, lessons in coverage.items()}, differences


_ROW = re.compile(r"^\| `(?P<signal>\w+)`(?: \((?P<since>\d+\.\d+)\+\))? \| (?P<lessons>.*) \|$")


def _since(lessons, paths):
    """``"6.0"`` when every lesson showing a signal needs Django 6.0 or later, else None."""
    needed = [required_django(paths[lesson]) if lesson in paths else None for lesson in lessons]
    if lessons and all(needed):
        return "{}.{}".format(*min(needed))
    return None


def coverage_table(coverage, paths=None):
    """
    The Markdown table of which lessons show which built-in signal, one row per
    signal of the installed Django. A signal that only lessons needing a newer
    Django show is marked, e.g. ``task_enqueued`` (6.0+).
    """
    paths = {p.stem: p for p in (paths or notebook_paths(LESSONS))}
    lines = ["| signal | lessons with a live receiver |", "|---|---|"]
    for signal in builtin_signals():
        lessons = coverage.get(signal, [])
        since = _since(lessons, paths)
        label = f"`{signal}`" + (f" ({since}+)" if since else "")
        shown = ", ".join(f"`{lesson}`" for lesson in lessons) or "**none**"
        lines.append(f"| {label} | {shown} |")
    return "\n".join(lines)


def parse_table(table):
    """``{signal: (since or None, [lesson, ...])}`` from a coverage table's rows."""
    rows = {}
    for line in table.splitlines():
        match = _ROW.match(line.strip())
        if match:
            lessons = re.findall(r"`(\w+)`", match["lessons"])
            rows[match["signal"]] = (match["since"], lessons)
    return rows


def merged_table(table, readme):
    """
    ``table`` (this Django's rows) plus the README's rows for signals this
    Django does not have (a newer Django's, kept when the table is written on
    5.2 LTS), in the README's order.
    """
    ours = parse_table(table)
    kept = {s: r for s, r in parse_table(readme).items() if s not in ours}
    if not kept:
        return table
    lines = table.splitlines()
    for line in readme.splitlines():
        match = _ROW.match(line.strip())
        if match and match["signal"] in kept:
            lines.append(line.strip())
    head, rows = lines[:2], lines[2:]
    rows.sort(key=lambda line: _ROW.match(line)["signal"])
    return "\n".join(head + rows)


def readme_table():
    """The coverage table as it stands in README.md (between its markers)."""
    text = README.read_text()
    start, end = text.index(TABLE_START), text.index(TABLE_END)
    return text[start + len(TABLE_START) : end].strip()


def write_readme_table(table):
    text = README.read_text()
    start, end = text.index(TABLE_START), text.index(TABLE_END)
    README.write_text(f"{text[: start + len(TABLE_START)]}\n{table}\n{text[end:]}")


def main():
    """Measure coverage, write the README table; 1 when a built-in signal has no lesson."""
    coverage, _ = signal_coverage(notebook_paths(LESSONS))
    table = merged_table(coverage_table(coverage), readme_table())
    write_readme_table(table)
    print(table)
    missing = [s for s in builtin_signals() if s not in coverage]
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
