import os
import shutil
import tempfile

import pytest

from tutorial_project.lab import recorder

_STATE = None


def pytest_configure(config):
    # Kernels started by nbval inherit this: checks run by the solution
    # notebooks must not write into a learner's real progress file.
    global _STATE
    if not os.environ.get("SIGNALS_LAB_STATE_DIR"):
        _STATE = tempfile.mkdtemp(prefix="signals-lab-state-")
        os.environ["SIGNALS_LAB_STATE_DIR"] = _STATE


def pytest_unconfigure(config):
    if _STATE:
        shutil.rmtree(_STATE, ignore_errors=True)
        os.environ.pop("SIGNALS_LAB_STATE_DIR", None)


@pytest.fixture(scope="session", autouse=True)
def _recorder_installed():
    recorder.install()
    yield
