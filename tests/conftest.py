import pytest

from signals_lab.runtime import recorder


@pytest.fixture(scope="session", autouse=True)
def _recorder_installed():
    recorder.install()
    yield
