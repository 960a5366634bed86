import warnings

import pytest

from signals_lab.runtime import recorder


@pytest.fixture(scope="session", autouse=True)
def _recorder_installed():
    recorder.install()
    yield


@pytest.fixture(autouse=True)
def _no_recording_left_open(request):
    """A test that leaves a recording open would make every later test record."""
    yield
    left = list(recorder._active)
    if left:
        # Closed here so later tests are not recorded; the warning names the test.
        recorder._active.clear()
        warnings.warn(f"{request.node.nodeid} left {len(left)} recording(s) open", stacklevel=1)
