"""
How ``make test`` (``pytest -n auto --dist loadfile``) spreads the work over
xdist's workers.

``--dist loadfile`` keeps each file on one worker: nbval needs a notebook's
cells in one kernel, in order, and a module's fixtures (a graded nbgrader
course, a JupyterHub) are built once. Two refinements, here:

* Files of many independent slow tests are split (:data:`SPREAD`): each test
  is its own unit of work, except exercise feedback cases, which go per
  exercise (one subprocess answers all the cases of an exercise).
* Units are handed out slowest first (:data:`SLOWEST_FIRST`, from
  ``pytest --durations=0`` summed per file), then in collection order, so a
  long file never starts last while the other workers sit idle. (xdist's own
  order puts the files with the most tests first, whatever they cost.)

xdist's ``--dist loadgroup`` (``xdist_group`` marks) cannot do the first part
here: pytest-xdist 3.8 records the group by rewriting ``item._nodeid``, which
pytest 9 no longer reads, so every test ends up in a group of its own.
"""

import os
import re

import pytest

SLOWEST_FIRST = (
    "tests/test_nbgrader.py",
    "tests/test_jupyterhub.py",
    "tests/test_browser.py",
    "tests/test_exercise_feedback.py",
    "tests/test_cli.py",
    "tests/test_exercises.py",
    "tests/test_learner_session.py",
    "notebooks/06_recursion.ipynb",
    "notebooks/08_management_and_wrappers.ipynb",
    "notebooks/11_testing_signals.ipynb",
)

# Node id prefixes of tests that are independent of each other (each has its
# own temporary workspace): each runs as a unit of its own.
SPREAD = (
    "tests/test_cli.py::",
    "tests/test_exercise_feedback.py::test_feedback_through_the_cli[",
)
PER_EXERCISE = re.compile(r"(tests/test_exercise_feedback\.py::test_feedback)\[(\d\d)-")


def unit_of(nodeid):
    """The unit of work a test belongs to: its file, unless split above."""
    if nodeid.startswith(SPREAD):
        return nodeid
    per_exercise = PER_EXERCISE.match(nodeid)
    if per_exercise:
        return "-".join(per_exercise.groups())
    return nodeid.split("::", 1)[0]


# optionalhook: the hook exists only when xdist runs (not with -p no:xdist).
@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class SlowestFirstFileScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid):
            return unit_of(nodeid)

    # Keep the collection's order (slowest first, see below) instead of
    # sorting the units by their number of tests.
    config.option.loadscopereorder = False
    return SlowestFirstFileScheduling(config, log)


def pytest_collection_modifyitems(config, items):
    if config.getoption("--shuffle", default=None) is not None:
        return  # conftest.py's --shuffle decides the order
    rank = {path: index for index, path in enumerate(SLOWEST_FIRST)}

    def file_rank(item):
        path = os.path.relpath(item.path, config.rootpath).replace(os.sep, "/")
        return rank.get(path, len(rank))

    items.sort(key=file_rank)  # stable: a file's tests (a notebook's cells) keep their order
