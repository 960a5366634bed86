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


def signal_coverage(paths, workers=2, twice=False):
    """
    Run lessons in fresh kernels with the dispatcher instrumented
    (``SIGNALS_LAB_COVERAGE``) and return ``(coverage, differences)``.

    ``coverage`` is ``{signal: [lesson, ...]}``: the lessons in which a
    receiver written in the lesson or in tutorial_project (not one of
    Django's own) ran for that signal. With ``twice=True`` every lesson runs
    twice in the same kernel ("Run all" twice), followed each time by a cell
    listing every connected receiver; ``differences`` lists, per lesson, the
    cells whose second run showed something else than the first.
    """
    import nbformat

    def run(path):
        folder = tempfile.mkdtemp(prefix="signals-lab-coverage-")
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        cells = [nbformat.v4.new_code_cell(c.source) for c in code]
        cells.append(nbformat.v4.new_code_cell(PROBE))
        if twice:
            cells += [nbformat.v4.new_code_cell(c.source) for c in cells]
        nb.cells = cells
        run_in_fresh_kernel(
            nb, Path(path).parent, env={**os.environ, "SIGNALS_LAB_COVERAGE": folder}
        )
        seen = {}
        for dump in Path(folder).glob("*.json"):
            for signal, receivers in json.loads(dump.read_text()).items():
                if any(not r.startswith("django.") for r in receivers):
                    seen[signal] = True
            dump.unlink()
        os.rmdir(folder)
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
        return Path(path).stem, sorted(seen), differences

    coverage, differences = {}, {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for lesson, signals, different in pool.map(run, paths):
            for signal in signals:
                coverage.setdefault(signal, []).append(lesson)
            if different:
                differences[lesson] = different
    return {signal: sorted(lessons) for signal, lessons in coverage.items()}, differences


def coverage_table(coverage):
    """The Markdown table of which lessons show which built-in signal."""
    lines = ["| signal | lessons with a live receiver |", "|---|---|"]
    for signal in builtin_signals():
        lessons = ", ".join(f"`{lesson}`" for lesson in coverage.get(signal, [])) or "**none**"
        lines.append(f"| `{signal}` | {lessons} |")
    return "\n".join(lines)


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
    table = coverage_table(coverage)
    write_readme_table(table)
    print(table)
    missing = [s for s in builtin_signals() if s not in coverage]
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
