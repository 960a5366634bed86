"""
Canonical notebook metadata, so that a re-run changes nothing that does not matter.

Execution counts 1, 2, 3 ...; no timing metadata; the ``python3`` kernelspec;
stable cell ids; only the cell metadata tools read (tags, nbval, nbgrader); no
drawings that JupyterLab wrote back into outputs (``image/svg+xml`` next to
``text/vnd.mermaid``).
"""

import hashlib

__all__ = ["KERNELSPEC", "KEPT_CELL_METADATA", "normalise"]

# Cell metadata that means something to a tool: tags, nbval's, nbgrader's.
KEPT_CELL_METADATA = ("tags", "nbval", "nbgrader")
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def normalise(nb, name="", execution_counts=True):
    """
    Make a notebook's metadata canonical (in place) and return it: execution
    counts 1, 2, 3 ... (or none, with ``execution_counts=False``).
    """
    nb.metadata = {
        "kernelspec": dict(KERNELSPEC),
        "language_info": {"name": "python"},
    }
    nb.nbformat, nb.nbformat_minor = 4, 5
    seen = set()
    count = 0
    for index, cell in enumerate(nb.cells):
        cell_id = cell.get("id")
        if not cell_id or cell_id in seen:
            digest = hashlib.sha1(f"{name}:{index}:{cell.source}".encode()).hexdigest()[:8]
            cell_id = f"c{index:02d}-{digest}"
        seen.add(cell_id)
        cell["id"] = cell_id
        metadata = {k: v for k, v in cell.get("metadata", {}).items() if k in KEPT_CELL_METADATA}
        cell["metadata"] = metadata
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count if execution_counts else None
            for output in cell.outputs:
                if "execution_count" in output:
                    output["execution_count"] = cell.execution_count
                data = output.get("data")
                if data and "text/vnd.mermaid" in data:
                    data.pop("image/svg+xml", None)
                    output.get("metadata", {}).pop("text/vnd.mermaid", None)
                if "metadata" in output and not output["metadata"]:
                    output["metadata"] = {}
    return nb
