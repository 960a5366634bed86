"""
``make lab`` / ``signals-lab lab``: JupyterLab, opened in the learner's workspace.

Serves on loopback only, with Jupyter's token authentication left on (the URL
with the token is printed). As root (containers, hosted notebooks),
JupyterLab refuses to start without ``--allow-root``, so it is added then.
"""

import os
import shutil
import sys
from pathlib import Path

from ..layout import FIRST_LESSON, workspace_dir

__all__ = ["LOOPBACK", "command", "loopback_or_refuse"]

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def loopback_or_refuse(host):
    """SystemExit with one sentence unless ``host`` is a loopback address."""
    if host not in LOOPBACK:
        raise SystemExit(
            f"Refusing to serve on {host}: the kit serves on loopback only "
            "(use an SSH tunnel to reach it from elsewhere)."
        )


def command(host="127.0.0.1", port=8888, open_browser=True, root_dir=None):
    """The jupyter-lab command line, rooted in ``root_dir`` (default: the workspace)."""
    loopback_or_refuse(host)
    jupyter = shutil.which("jupyter-lab", path=str(Path(sys.executable).parent)) or "jupyter-lab"
    args = [
        jupyter,
        f"--ServerApp.ip={host}",
        f"--ServerApp.port={port}",
        f"--ServerApp.root_dir={root_dir or workspace_dir()}",
        f"--LabApp.default_url=/lab/tree/notebooks/{FIRST_LESSON}",
    ]
    if not open_browser:
        args.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")
    return args
