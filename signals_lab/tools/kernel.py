"""
The kit's kernels: the one fresh-kernel runner every tool uses, and the kernel
configuration the kit installs.

``make execute``, the signal-coverage run, the learner CLI's ``check`` and the
tests all run notebooks through :func:`run_in_fresh_kernel`, so they agree on
the kernel, its working folder, timeouts and environment.
"""

import atexit
import logging
import os
import sys
import tempfile
import uuid
from pathlib import Path

__all__ = ["CELL_TIMEOUT", "KernelStartError", "run_in_fresh_kernel", "install_kernel_config"]

KERNEL_CONFIG = """\
# Written by Django Signals Lab (python -m signals_lab.tools.kernel).
# Every kernel of this environment shows the kit's errors as one line, even in a
# cell run before `lab = boot()`.
c.InteractiveShellApp.extensions = ["signals_lab.runtime.errors"]
"""

CELL_TIMEOUT = 120
# How long a new kernel may take to answer (nbclient's startup_timeout), and
# how often one is started: a kernel that never answers (a machine too busy)
# or stops while starting is started again once. SIGNALS_LAB_KERNEL_START_LIMIT
# overrides the limit (tests).
STARTUP_TIMEOUT = 60
STARTS = 2
# jupyter_client's messages for those two (RuntimeError).
NO_ANSWER = "didn't respond"
DIED = "died before replying"
START_LIMIT_VARIABLE = "SIGNALS_LAB_KERNEL_START_LIMIT"
# nbclient logs a failed start as an error before raising it; the raised error
# is what the caller reports, in one line.
_quiet = logging.getLogger("signals_lab.tools.kernel")
_quiet.addHandler(logging.NullHandler())
_quiet.propagate = False


class KernelStartError(RuntimeError):
    """No Jupyter kernel answered, however often one was started."""


def _startup_timeout():
    try:
        return max(1, int(os.environ.get(START_LIMIT_VARIABLE, STARTUP_TIMEOUT)))
    except ValueError:
        return STARTUP_TIMEOUT


def run_in_fresh_kernel(nb, folder, timeout=CELL_TIMEOUT, *, interrupt=False, **kernel_options):
    """
    Run every cell of ``nb`` in a new python3 kernel started in ``folder``.
    The kernel process's own stderr is not shown unless ``stderr=`` says
    where (what the cells print is in the notebook's outputs); when a kernel
    stops while starting, its last line is the reason given. The kernel talks
    over Unix sockets (see :func:`_kernel_manager_config`).

    A cell running longer than ``timeout`` seconds raises nbclient's
    ``CellTimeoutError``; with ``interrupt=True`` the kernel is interrupted
    instead (the cell shows ``KeyboardInterrupt``) and the next cells run.
    A kernel that does not answer, or stops while starting, is started again
    once (see ``STARTS``); then :class:`KernelStartError` says so in one line.
    """
    from nbclient import NotebookClient

    limit = _startup_timeout()
    for _attempt in range(STARTS):
        client = NotebookClient(
            nb,
            config=_kernel_manager_config(),
            timeout=timeout,
            startup_timeout=limit,
            kernel_name="python3",
            allow_errors=True,
            record_timing=False,
            interrupt_on_timeout=interrupt,
            resources={"metadata": {"path": str(folder)}},
            log=_quiet,
        )
        with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as stderr:
            try:
                client.execute(**{"stderr": stderr, **kernel_options})
                return
            except RuntimeError as error:
                if NO_ANSWER not in str(error) and DIED not in str(error):
                    raise
                failure = error
                stderr.seek(0)
                last_words = _last_line(stderr.read())
            # nbclient has already stopped that kernel; its exit hook would
            # only fail on the missing kernel manager.
            atexit.unregister(client._cleanup_kernel)
    if DIED in str(failure):
        why = (
            last_words or "`python -m ipykernel_launcher` with this environment's Python shows why"
        )
        raise KernelStartError(f"the Jupyter kernel stopped while starting ({STARTS} tries): {why}")
    raise KernelStartError(
        f"no Jupyter kernel answered within {limit} s ({STARTS} tries): "
        "the machine may be very busy; try again"
    )


def _last_line(text):
    """The last line a kernel wrote to stderr (its error, when it stopped)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _kernel_manager_config():
    """
    The kernel manager's settings: talk to the kernel over Unix sockets (files
    in the temp folder, removed at shutdown) where there are some. No TCP port
    to pick, so no race with another program picking ports at the same moment,
    and nothing on the network. TCP on loopback elsewhere (Windows).
    """
    from traitlets.config import Config

    if os.name == "nt":  # pragma: no cover - Windows
        return Config()
    # Each kernel its own prefix: jupyter_client numbers the files PREFIX-1 ...
    # by what exists, which two kernels starting at once would both pick.
    prefix = Path(tempfile.gettempdir()) / f"signals-lab-kernel-{uuid.uuid4().hex[:12]}"
    return Config({"KernelManager": {"transport": "ipc", "ip": str(prefix)}})


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
