import pytest

from tutorial_project.lab import recorder


@pytest.fixture(scope="session", autouse=True)
def _recorder_installed():
    recorder.install()
    yield
