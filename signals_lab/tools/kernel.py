"""
The kit's kernels: the one fresh-kernel runner every tool uses, and the kernel
configuration the kit installs.

``make execute``, the signal-coverage run, the learner CLI's ``check`` and the
tests all run notebooks through :func:`run_in_fresh_kernel`, so they agree on
the kernel, its working folder, timeouts and environment.
"""

import subprocess
import sys
from pathlib import Path

__all__ = ["CELL_TIMEOUT", "run_in_fresh_kernel", "install_kernel_config"]

KERNEL_CONFIG = """\
# Written by Django Signals Lab (python -m signals_lab.tools.kernel).
# Every kernel of this environment shows the kit's errors as one line, even in a
# cell run before `lab = boot()`.
c.InteractiveShellApp.extensions = ["signals_lab.runtime.errors"]
"""

CELL_TIMEOUT = 120


def run_in_fresh_kernel(nb, folder, timeout=CELL_TIMEOUT, *, interrupt=False, **kernel_options):
    """
    Run every cell of ``nb`` in a new python3 kernel started in ``folder``.
    The kernel process's own stderr (jupyter_client's "running over TCP without
    encryption" warning) is dropped unless ``stderr=`` says otherwise: what the
    cells print is in the notebook's outputs.

    A cell running longer than ``timeout`` seconds raises nbclient's
    ``CellTimeoutError``; with ``interrupt=True`` the kernel is interrupted
    instead (the cell shows ``KeyboardInterrupt``) and the next cells run.
    """
    from nbclient import NotebookClient

    kernel_options.setdefault("stderr", subprocess.DEVNULL)
    NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        record_timing=False,
        interrupt_on_timeout=interrupt,
        resources={"metadata": {"path": str(folder)}},
    ).execute(**kernel_options)


def install_kernel_config(prefix=sys.prefix):
    """
    Write the kernel configuration of this environment (IPython reads
    ``<prefix>/etc/ipython/``); return its path. Idempotent.
    """
    path = Path(prefix) / "etc" / "ipython" / "ipython_kernel_config.py"
    if not path.exists() or path.read_text() != KERNEL_CONFIG:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(KERNEL_CONFIG)
    return path


if __name__ == "__main__":
    print(f"kernel configuration: {install_kernel_config()}")
