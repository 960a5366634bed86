"""
The kit's notebook tools (``make execute``, ``make exercises``).

    python -m signals_lab.tools.notebooks execute [NOTEBOOK ...]
    python -m signals_lab.tools.notebooks exercises [--force]
    python -m signals_lab.tools.notebooks from-script SCRIPT NOTEBOOK [--force]

``execute`` is the only way stored outputs are made: each notebook runs in a
fresh kernel (nbclient), then is normalised so that a re-run changes nothing
that does not matter: execution counts 1, 2, 3 ...; no timing metadata; the
``python3`` kernelspec; stable cell ids; no drawings that JupyterLab wrote
back into outputs (``image/svg+xml`` next to ``text/vnd.mermaid``).
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..layout import LESSONS, ROOT, SOLUTIONS, notebook_paths
from .canonical import normalise
from .generate import generate_all
from .kernel import CELL_TIMEOUT, run_in_fresh_kernel


def _nbformat():
    import nbformat

    return nbformat


def execute(path, timeout=CELL_TIMEOUT):
    """Run one notebook in a fresh kernel, normalise it and write it back."""
    nbformat = _nbformat()
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    run_in_fresh_kernel(nb, path.parent, timeout)
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
    normalise(nb, target.name, execution_counts=False)
    nbformat.write(nb, target)
    print(f"wrote {target} ({len(cells)} cells); run `make execute NB={target}` next")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m signals_lab.tools.notebooks")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("execute", help="re-run notebooks and store their outputs")
    run.add_argument("notebooks", nargs="*", help="default: notebooks/ and solutions/")
    sub.add_parser("exercises", help="regenerate exercises/ from solutions/")
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
            generate_all()
        if problems:
            for path, errors in problems.items():
                for error in errors:
                    print(f"{path}: {error}", file=sys.stderr)
            return 1
        return 0
    if args.command == "exercises":
        return generate_all()
    if args.command == "coverage":
        from .coverage import main as coverage_main

        return coverage_main()
    if args.command == "from-script":
        from_script(args.script, args.notebook, force=args.force)
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
