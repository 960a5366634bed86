"""
Generate ``exercises/`` from ``solutions/`` (``make exercises``).

A solution notebook marks each answer like nbgrader does::

    def send_welcome_email(sender, instance, created, raw, **kwargs):
        ### BEGIN SOLUTION
        if raw or not created:
            return
        ...
        ### END SOLUTION

The exercise gets, in place of each region, the same indentation and::

    # YOUR CODE HERE
    ...

(``...`` keeps the cell valid Python, so the notebook runs to the end and
its check says "not yet"). Outputs are cleared. Markdown cells may hold
solution regions too; they become ``*Your answer here.*``.

Safety: ``exercises/.generated.json`` keeps a hash of every file as it was
generated. A file whose hash differs was edited by a learner: it is left alone
(the generator says so), unless ``force=True``, and then it is first copied to
``.lab-backups/``.
"""

import hashlib
import json
import re
import shutil

from .notebooks import EXERCISES, ROOT, SOLUTIONS, normalise, notebook_paths

BACKUPS = ROOT / ".lab-backups"
MANIFEST = EXERCISES / ".generated.json"
BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
_REGION = re.compile(
    r"^(?P<indent>[ \t]*)### BEGIN SOLUTION[^\n]*\n.*?^[ \t]*### END SOLUTION[^\n]*(\n|$)",
    re.M | re.S,
)

__all__ = ["strip_solutions", "exercise_from_solution", "generate_all", "backup"]


class MarkerError(ValueError):
    pass


def strip_solutions(source, markdown=False):
    """Replace every solution region of a cell's source by a placeholder."""
    if source.count(BEGIN) != source.count(END):
        raise MarkerError("unbalanced ### BEGIN SOLUTION / ### END SOLUTION markers")

    def placeholder(match):
        indent = match.group("indent")
        if markdown:
            return "*Your answer here.*\n"
        return f"{indent}# YOUR CODE HERE\n{indent}...\n"

    return _REGION.sub(placeholder, source).rstrip("\n")


def exercise_from_solution(path):
    """The exercise notebook (an nbformat node) generated from solution ``path``."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        try:
            cell.source = strip_solutions(cell.source, markdown=cell.cell_type == "markdown")
        except MarkerError as error:
            raise MarkerError(f"{path.name}, cell {index}: {error}") from None
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    normalise(nb, path.name)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.execution_count = None
    return nb


def _text(nb):
    import nbformat

    return nbformat.writes(nb) + "\n"


def _digest(text):
    return hashlib.sha256(text.encode()).hexdigest()


def _manifest():
    try:
        return json.loads(MANIFEST.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def backup(path):
    """Copy ``path`` to ``.lab-backups/<name>.<n>.ipynb`` (never overwriting); return it."""
    BACKUPS.mkdir(exist_ok=True)
    n = 1
    while (target := BACKUPS / f"{path.stem}.{n}{path.suffix}").exists():
        n += 1
    shutil.copy2(path, target)
    return target


def generate_all(force=False, names=None, quiet=False):
    """
    Write ``exercises/NN_*.ipynb`` for every solution (or only ``names``).
    Returns 0, or 1 when an edited exercise was left alone.
    """
    manifest = _manifest()
    skipped = 0
    for solution in notebook_paths(SOLUTIONS):
        if names and solution.stem not in names:
            continue
        target = EXERCISES / solution.name
        text = _text(exercise_from_solution(solution))
        if target.exists():
            current = target.read_text()
            if current == text:
                manifest[target.name] = _digest(text)
                continue
            edited = manifest.get(target.name) != _digest(current)
            if edited and not force:
                skipped += 1
                if not quiet:
                    print(
                        f"kept {target.relative_to(ROOT)}: you edited it "
                        "(use --force to replace it; a backup is kept)"
                    )
                continue
            if edited:
                saved = backup(target)
                if not quiet:
                    print(f"backed up your {target.name} to {saved.relative_to(ROOT)}")
        target.write_text(text)
        manifest[target.name] = _digest(text)
        if not quiet:
            print(f"wrote {target.relative_to(ROOT)}")
    MANIFEST.write_text(json.dumps(dict(sorted(manifest.items())), indent=2) + "\n")
    return 1 if skipped else 0
