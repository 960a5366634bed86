"""
The one fresh-kernel runner: every tool that executes a notebook uses it.

``make execute``, the signal-coverage run, the learner CLI's ``check`` and the
tests all run notebooks through :func:`run_in_fresh_kernel`, so they agree on
the kernel, its working folder, timeouts and environment.
"""

__all__ = ["CELL_TIMEOUT", "run_in_fresh_kernel"]

CELL_TIMEOUT = 120


def run_in_fresh_kernel(nb, folder, timeout=CELL_TIMEOUT, **kernel_options):
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
