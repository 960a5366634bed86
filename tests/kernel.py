"""Run a few cells in a fresh kernel (the kit's one kernel runner) and return their outputs."""

import os

import nbformat

from signals_lab.layout import ROOT
from signals_lab.tools.kernel import run_in_fresh_kernel


def run_cells(*sources, timeout=60):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    # A learner's kernel starts without DJANGO_SETTINGS_MODULE (pytest-django sets it here).
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    run_in_fresh_kernel(nb, ROOT, timeout=timeout, env=env)
    return [cell.outputs for cell in nb.cells]


def text(outputs):
    """Everything a learner would read in a cell's output, as one string."""
    parts = []
    for output in outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type == "error":
            parts.append("\n".join(output.traceback))
        else:
            parts.append(output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)
