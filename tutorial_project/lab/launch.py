"""
``make lab``: open the lessons in JupyterLab.

Serves on 127.0.0.1 only, with Jupyter's token authentication left on (the
URL with the token is printed). As root (containers, hosted notebooks),
JupyterLab refuses to start without ``--allow-root``, so it is added then.
"""

import argparse
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIRST_LESSON = "notebooks/00_start_here.ipynb"


def command(host="127.0.0.1", port=8888, open_browser=True, root_dir=ROOT):
    """The jupyter-lab command line that ``make lab`` runs."""
    jupyter = shutil.which("jupyter-lab", path=str(Path(sys.executable).parent)) or "jupyter-lab"
    args = [
        jupyter,
        f"--ServerApp.ip={host}",
        f"--ServerApp.port={port}",
        f"--ServerApp.root_dir={root_dir}",
        f"--LabApp.default_url=/lab/tree/{FIRST_LESSON}",
    ]
    if not open_browser:
        args.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")
    return args


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tutorial_project.lab.launch")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8888)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args(argv)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"Refusing to serve on {args.host}: the kit serves on loopback only "
            "(use an SSH tunnel to reach it from elsewhere).",
            file=sys.stderr,
        )
        return 2
    cmd = command(args.host, args.port, open_browser=not args.no_browser)
    os.chdir(ROOT)
    os.execv(cmd[0], cmd)


if __name__ == "__main__":
    sys.exit(main())
