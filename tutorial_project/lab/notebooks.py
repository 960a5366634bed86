"""
The kit's notebook tools (``make execute``, ``make exercises``).

    python -m tutorial_project.lab.notebooks execute [NOTEBOOK ...]
    python -m tutorial_project.lab.notebooks exercises [--force]
    python -m tutorial_project.lab.notebooks from-script SCRIPT NOTEBOOK [--force]

``execute`` is the only way stored outputs are made: each notebook runs in a
fresh kernel (nbclient), then is normalised so that a re-run changes nothing
that does not matter: execution counts 1, 2, 3 ...; no timing metadata; the
``python3`` kernelspec; stable cell ids; no drawings that JupyterLab wrote
back into outputs (``image/svg+xml`` next to ``text/vnd.mermaid``).
"""

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LESSONS = ROOT / "notebooks"
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
CELL_TIMEOUT = 120


def _nbformat():
    import nbformat

    return nbformat


def notebook_paths(folder):
    """The numbered notebooks of a folder, in order."""
    return sorted(p for p in Path(folder).glob("[0-9][0-9]_*.ipynb"))


def normalise(nb, name=""):
    """Make a notebook's metadata canonical (in place) and return it."""
    nb.metadata = {
        "kernelspec": dict(KERNELSPEC),
        "language_info": {"name": "python"},
    }
    nb.nbformat, nb.nbformat_minor = 4, 5
    seen = set()
    count = 0
    for index, cell in enumerate(nb.cells):
        cell_id = cell.get("id")
        if not cell_id or cell_id in seen:
            digest = hashlib.sha1(f"{name}:{index}:{cell.source}".encode()).hexdigest()[:8]
            cell_id = f"c{index:02d}-{digest}"
        seen.add(cell_id)
        cell["id"] = cell_id
        metadata = {k: v for k, v in cell.get("metadata", {}).items() if k in ("tags", "nbval")}
        cell["metadata"] = metadata
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count
            for output in cell.outputs:
                if "execution_count" in output:
                    output["execution_count"] = count
                data = output.get("data")
                if data and "text/vnd.mermaid" in data:
                    data.pop("image/svg+xml", None)
                    output.get("metadata", {}).pop("text/vnd.mermaid", None)
                if "metadata" in output and not output["metadata"]:
                    output["metadata"] = {}
    return nb


def _run_in_fresh_kernel(nb, folder, timeout=CELL_TIMEOUT, **kernel_options):
    """Run every cell of ``nb`` in a new python3 kernel started in ``folder``."""
    from nbclient import NotebookClient

    NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        record_timing=False,
        resources={"metadata": {"path": str(folder)}},
    ).execute(**kernel_options)


def execute(path, timeout=CELL_TIMEOUT):
    """Run one notebook in a fresh kernel, normalise it and write it back."""
    nbformat = _nbformat()
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    _run_in_fresh_kernel(nb, path.parent, timeout)
    errors = _unexpected_errors(nb)
    normalise(nb, path.name)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return errors


def _unexpected_errors(nb):
    """Cells that raised without the NBVAL_RAISES_EXCEPTION marker."""
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "NBVAL_RAISES_EXCEPTION" in cell.source:
            continue
        for output in cell.outputs:
            if output.output_type == "error":
                problems.append(f"cell {index}: {output.ename}: {output.evalue}")
    return problems


def execute_many(paths, workers=2):
    """Execute notebooks, two at a time; return the problems found."""
    problems = {}
    # The solutions' checks record progress: keep that out of the learner's file.
    state = tempfile.mkdtemp(prefix="signals-lab-state-")
    previous = os.environ.get("SIGNALS_LAB_STATE_DIR")
    os.environ["SIGNALS_LAB_STATE_DIR"] = state

    def run(path):
        start = time.perf_counter()
        errors = execute(path)
        took = time.perf_counter() - start
        flag = "ok" if not errors else f"{len(errors)} unexpected error(s)"
        try:
            shown = Path(path).resolve().relative_to(ROOT)
        except ValueError:
            shown = path
        print(f"{shown}  {took:5.1f}s  {flag}", flush=True)
        return path, errors

    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for path, errors in pool.map(run, paths):
                if errors:
                    problems[str(path)] = errors
    finally:
        shutil.rmtree(state, ignore_errors=True)
        if previous is None:
            os.environ.pop("SIGNALS_LAB_STATE_DIR", None)
        else:
            os.environ["SIGNALS_LAB_STATE_DIR"] = previous
    return problems


BUILT_IN_SIGNALS = (
    "pre_init", "post_init", "pre_save", "post_save", "pre_delete", "post_delete",
    "m2m_changed", "class_prepared", "pre_migrate", "post_migrate",
    "request_started", "request_finished", "got_request_exception",
    "setting_changed", "template_rendered", "connection_created",
    "user_logged_in", "user_logged_out", "user_login_failed",
    "autoreload_started", "file_changed",
)  # fmt: skip
README = ROOT / "README.md"
TABLE_START = "<!-- signal-coverage:start -->"
TABLE_END = "<!-- signal-coverage:end -->"


# The receivers of the lesson and of the project (Django's own come and go
# with garbage collection, e.g. one per model class a lesson builds).
PROBE = (
    "import gc as _probe_gc\n"
    "from tutorial_project.lab import listeners as _probe_listeners\n"
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
    nbformat = _nbformat()

    def run(path):
        folder = tempfile.mkdtemp(prefix="signals-lab-coverage-")
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        cells = [nbformat.v4.new_code_cell(c.source) for c in code]
        cells.append(nbformat.v4.new_code_cell(PROBE))
        if twice:
            cells += [nbformat.v4.new_code_cell(c.source) for c in cells]
        nb.cells = cells
        _run_in_fresh_kernel(
            nb, Path(path).parent, env={**os.environ, "SIGNALS_LAB_COVERAGE": folder}
        )
        seen = {}
        for dump in Path(folder).glob("*.json"):
            for signal, receivers in json.loads(dump.read_text()).items():
                if any(not r.startswith("django.") for r in receivers):
                    seen[signal] = True
            dump.unlink()
        os.rmdir(folder)
        differences = []
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
    for signal in BUILT_IN_SIGNALS:
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


def from_script(script, target, force=False):
    """
    Build a notebook from a "percent" script (``# %%`` code cells and
    ``# %% [markdown]`` cells whose lines start with ``# ``). Refuses to
    overwrite an existing notebook unless ``force``. Used to draft lessons.
    """
    nbformat = _nbformat()
    target = Path(target)
    if target.exists() and not force:
        raise SystemExit(f"{target} exists; pass --force to replace it.")
    cells, kind, lines = [], None, []

    def flush():
        if kind is None:
            return
        text = "\n".join(lines).strip("\n")
        if kind == "markdown":
            text = "\n".join(
                line[2:] if line.startswith("# ") else line.lstrip("#")
                for line in text.splitlines()
            )
            cells.append(nbformat.v4.new_markdown_cell(text))
        elif text.strip():
            cells.append(nbformat.v4.new_code_cell(text))

    for line in Path(script).read_text().splitlines():
        if line.startswith("# %%"):
            flush()
            kind, lines = ("markdown" if "[markdown]" in line else "code"), []
        else:
            lines.append(line)
    flush()
    nb = nbformat.v4.new_notebook(cells=cells)
    normalise(nb, target.name)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.execution_count = None
    nbformat.write(nb, target)
    print(f"wrote {target} ({len(cells)} cells); run `make execute NB={target}` next")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tutorial_project.lab.notebooks")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("execute", help="re-run notebooks and store their outputs")
    run.add_argument("notebooks", nargs="*", help="default: notebooks/ and solutions/")
    gen = sub.add_parser("exercises", help="regenerate exercises/ from solutions/")
    gen.add_argument("--force", action="store_true", help="replace edited exercises (backed up)")
    sub.add_parser("coverage", help="measure which lesson shows which signal; update README")
    conv = sub.add_parser("from-script", help="draft a notebook from a # %% script")
    conv.add_argument("script")
    conv.add_argument("notebook")
    conv.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)

    if args.command == "execute":
        paths = [Path(p) for p in args.notebooks] or (
            notebook_paths(LESSONS) + notebook_paths(SOLUTIONS)
        )
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise SystemExit(f"No such notebook: {', '.join(missing)}")
        problems = execute_many(paths)
        if any(Path(p).parent.resolve() == SOLUTIONS for p in paths):
            from .exercises import generate_all

            generate_all(force=False)
        if problems:
            for path, errors in problems.items():
                for error in errors:
                    print(f"{path}: {error}", file=sys.stderr)
            return 1
        return 0
    if args.command == "exercises":
        from .exercises import generate_all

        return generate_all(force=args.force)
    if args.command == "coverage":
        coverage, _ = signal_coverage(notebook_paths(LESSONS))
        table = coverage_table(coverage)
        write_readme_table(table)
        print(table)
        missing = [s for s in BUILT_IN_SIGNALS if s not in coverage]
        return 1 if missing else 0
    if args.command == "from-script":
        from_script(args.script, args.notebook, force=args.force)
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
