"""Run a few cells in a fresh kernel (nbclient) and return their outputs."""

import os

import nbformat
from nbclient import NotebookClient

from signals_lab.layout import ROOT


def run_cells(*sources, timeout=60):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(ROOT)}},
    )
    # A learner's kernel starts without DJANGO_SETTINGS_MODULE (pytest-django sets it here).
    saved = os.environ.pop("DJANGO_SETTINGS_MODULE", None)
    try:
        client.execute()
    finally:
        if saved is not None:
            os.environ["DJANGO_SETTINGS_MODULE"] = saved
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
