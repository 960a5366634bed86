"""
Session-wide test settings (root conftest, so nbval's notebook items get them too).

* ``--shuffle SEED``: run test files and notebooks in a random order; the cells
  of a notebook keep their order (nbval needs it), tests inside a Python
  module are shuffled too.
* Every process of the run refuses network access beyond loopback
  (``SIGNALS_LAB_NETWORK_GUARD``; kernels inherit it and ``boot()`` installs it).
* The whole run uses a temporary learner workspace (``SIGNALS_LAB_HOME``), so
  checks run by solution notebooks never touch a learner's real workspace or
  progress; the migrated-database cache is shared between runs
  (``.lab-state/cache``: it depends only on the code).
"""

import os
import random
import shutil
import tempfile

# One item per lesson: run twice in one kernel, and its signal coverage; how make
# test spreads the work over xdist workers (see their docstrings).
pytest_plugins = ("tests.lesson_coverage", "tests.scheduling")

_STATE = None


def pytest_addoption(parser):
    parser.addoption(
        "--shuffle",
        metavar="SEED",
        default=None,
        help="run test files and notebooks in a random order from SEED (cells stay in order)",
    )


def pytest_configure(config):
    global _STATE
    os.environ["SIGNALS_LAB_NETWORK_GUARD"] = "1"
    from signals_lab.layout import ROOT
    from signals_lab.runtime import netguard

    netguard.install()
    if not os.environ.get("SIGNALS_LAB_HOME"):
        _STATE = tempfile.mkdtemp(prefix="signals-lab-home-")
        os.environ["SIGNALS_LAB_HOME"] = _STATE
    os.environ.setdefault("SIGNALS_LAB_CACHE_DIR", str(ROOT / ".lab-state" / "cache"))


def pytest_unconfigure(config):
    if _STATE:
        shutil.rmtree(_STATE, ignore_errors=True)
        os.environ.pop("SIGNALS_LAB_HOME", None)


def pytest_report_header(config):
    seed = config.getoption("--shuffle")
    return f"shuffled order, seed {seed}" if seed is not None else None


def pytest_collection_modifyitems(config, items):
    seed = config.getoption("--shuffle")
    if seed is None:
        return
    rng = random.Random(seed)
    groups = {}
    for item in items:
        groups.setdefault(str(item.path), []).append(item)
    files = list(groups)
    rng.shuffle(files)
    ordered = []
    for path in files:
        group = groups[path]
        if not path.endswith(".ipynb"):
            rng.shuffle(group)
        ordered.extend(group)
    items[:] = ordered
