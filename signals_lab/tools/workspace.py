"""
The learner's workspace: their own copies of the lessons and exercises.

As in rustlings v6, the repository is the kit and the learner works elsewhere:
``signals-lab init`` (and ``make lab``) copies ``notebooks/`` and
``exercises/`` into the workspace (see :func:`signals_lab.layout.workspace_dir`),
with the same folder names so the notebooks' relative links keep working.
The canonical notebooks are never written by a learner's session.

A workspace copy differs from the canonical notebook in two ways only:

* every "predict, then run" cell (one that calls ``lab.predict(``) has no
  stored output, so no answer shows before the learner predicts;
* its ``language_info`` is what this interpreter's kernel reports, so opening a
  notebook in JupyterLab changes nothing (no "modified" mark, nothing to save).

``.lab/manifest.json`` keeps a hash of every copy as written. Updating the kit
then running ``init`` again adds new notebooks, updates the ones the learner
never touched, and keeps every notebook they edited (one line each).
"""

import hashlib
import json
import platform
from pathlib import Path

from ..layout import (
    EXERCISES,
    LESSONS,
    WORKSPACE_MARKER,
    notebook_paths,
    workspace_dir,
)

__all__ = ["Workspace", "prepared_text", "PREDICT_CALL"]

PREDICT_CALL = "lab.predict("
FOLDERS = {"notebooks": LESSONS, "exercises": EXERCISES}


def language_info():
    """What ipykernel reports for this interpreter (so opening a notebook changes nothing)."""
    major = platform.python_version_tuple()[0]
    return {
        "codemirror_mode": {"name": "ipython", "version": int(major)},
        "file_extension": ".py",
        "mimetype": "text/x-python",
        "name": "python",
        "nbconvert_exporter": "python",
        "pygments_lexer": f"ipython{major}",
        "version": platform.python_version(),
    }


def prepared_text(canonical):
    """
    The workspace copy of canonical notebook ``canonical``, as text.

    Plain JSON, written the way nbformat writes a notebook: every command of the
    CLI prepares every notebook, and nbformat validating each one twice made
    ``signals-lab progress`` three times slower. The canonical notebooks are
    nbformat's own output, validated by the tests, and a test checks that this
    text is exactly what ``nbformat.writes`` gives.
    """
    nb = json.loads(Path(canonical).read_text(encoding="utf-8"))
    nb["metadata"]["language_info"] = language_info()
    for cell in nb["cells"]:
        if cell["cell_type"] == "code" and PREDICT_CALL in "".join(cell["source"]):
            cell["outputs"] = []
            cell["execution_count"] = None
    text = json.dumps(nb, indent=1, sort_keys=True, separators=(",", ": "), ensure_ascii=False)
    return text + "\n"


def _digest(text):
    return hashlib.sha256(text.encode()).hexdigest()


class Workspace:
    """One learner's workspace folder."""

    def __init__(self, root=None):
        self.root = Path(root).expanduser().resolve() if root else workspace_dir()

    @property
    def manifest_path(self):
        return self.root / ".lab" / "manifest.json"

    def exists(self):
        return (self.root / WORKSPACE_MARKER).is_file()

    def path(self, folder, name):
        return self.root / folder / name

    def _manifest(self):
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _save_manifest(self, manifest):
        self.manifest_path.parent.mkdir(parents=True, exist_ok=True)
        temp = self.manifest_path.with_suffix(".tmp")
        temp.write_text(json.dumps(dict(sorted(manifest.items())), indent=1) + "\n")
        temp.replace(self.manifest_path)

    def sync(self, say=print):
        """
        Create the workspace, or bring it up to date with the kit. Returns the
        number of notebooks written. Never overwrites a notebook the learner edited.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        marker = self.root / WORKSPACE_MARKER
        if not marker.exists():
            marker.write_text("A Django Signals Lab workspace: your own copies of the notebooks.\n")
        manifest = self._manifest()
        written = 0
        for folder, source in FOLDERS.items():
            (self.root / folder).mkdir(exist_ok=True)
            for canonical in notebook_paths(source):
                key = f"{folder}/{canonical.name}"
                target = self.root / folder / canonical.name
                text = prepared_text(canonical)
                if not target.exists():
                    verb = "added"
                else:
                    current = target.read_text(encoding="utf-8")
                    if current == text:
                        manifest[key] = _digest(text)
                        continue
                    if manifest.get(key) != _digest(current):
                        if manifest.get(key) != _digest(text):
                            say(
                                f"kept your edited {key}; the kit has a newer version "
                                f"(`signals-lab reset {canonical.stem}` takes it, keeping yours "
                                "as a backup)"
                            )
                        continue
                    verb = "updated"
                target.write_text(text, encoding="utf-8")
                manifest[key] = _digest(text)
                written += 1
                say(f"{verb} {key}")
        self._save_manifest(manifest)
        return written

    def restore(self, folder, name):
        """
        Put the kit's version of ``folder/name`` back. An edited copy is first
        backed up, once; returns the backup's path (or None when nothing was edited).
        """
        canonical = FOLDERS[folder] / name
        target = self.path(folder, name)
        text = prepared_text(canonical)
        saved = None
        if target.exists() and target.read_text(encoding="utf-8") != text:
            saved = self._backup(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        manifest = self._manifest()
        manifest[f"{folder}/{name}"] = _digest(text)
        self._save_manifest(manifest)
        return saved

    def _backup(self, path):
        folder = self.root / ".lab" / "backups"
        folder.mkdir(parents=True, exist_ok=True)
        n = 1
        while (target := folder / f"{path.stem}.{n}{path.suffix}").exists():
            n += 1
        target.write_bytes(path.read_bytes())
        return target
