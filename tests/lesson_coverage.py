"""
pytest plugin (loaded by the root conftest): one item per lesson that runs the
lesson twice in one fresh kernel with the dispatcher instrumented, and checks
that

* the second run shows the same outputs and leaves the same receivers
  connected as the first ("Run all" twice), with no cell raising,
* then every "predict" and "Try it" cell gives its Run All answer again, re-run
  alone and after ``lab.reset()`` (``tests/test_predictions.py``), and
* the built-in signals a lesson receiver ran for are exactly the ones the
  README's coverage table credits to that lesson.

Each item is collected from the lesson's own file, beside nbval's cells
(``notebooks/NN_x.ipynb::run-twice-and-coverage``), so ``--dist loadfile``
spreads them over the workers with the notebooks instead of one worker running
every lesson twice. That every built-in signal has a lesson is checked on the
README table itself (``tests/test_signal_coverage.py``).

A lesson that needs a newer Django than the installed one (lesson 13: tasks,
6.0+) is not collected at all, its nbval cells included.
"""

import pytest

from signals_lab.layout import LESSONS


def _is_lesson(path):
    return path.suffix == ".ipynb" and path.parent == LESSONS and path.name[:2].isdigit()


def pytest_ignore_collect(collection_path, config):
    if _is_lesson(collection_path):
        from signals_lab.tools.coverage import runs_here

        if not runs_here(collection_path):
            return True
    return None


def pytest_collection_modifyitems(config, items):
    # A lesson named on the command line is collected even when ignored above.
    from signals_lab.tools.coverage import runs_here

    lessons = {item.path for item in items if _is_lesson(item.path)}
    skipped = {path for path in lessons if not runs_here(path)}
    if skipped:
        deselected = [item for item in items if item.path in skipped]
        items[:] = [item for item in items if item.path not in skipped]
        config.hook.pytest_deselected(items=deselected)


def pytest_collect_file(file_path, parent):
    if _is_lesson(file_path):
        return LessonRuns.from_parent(parent, path=file_path)
    return None


class LessonRuns(pytest.File):
    def collect(self):
        item = RunTwiceAndCoverage.from_parent(self, name="run-twice-and-coverage")
        item.add_marker(pytest.mark.notebook)
        yield item


class RunTwiceAndCoverage(pytest.Item):
    def runtest(self):
        import nbformat

        from signals_lab.runtime.names import builtin_signals
        from signals_lab.tools.coverage import lesson_coverage, parse_table, readme_table
        from tests.test_predictions import rerun_cells, rerun_problems

        # The same kernel then re-runs the lesson's questions (see test_predictions),
        # each compared with its stored Run All output (which nbval proves).
        nb = nbformat.read(self.path, as_version=4)
        reruns = rerun_cells(nb)
        then = [cell for _situation, _index, cell in reruns]
        signals, differences = lesson_coverage(self.path, twice=True, then=then)
        assert not differences, f"{self.path.name}, second run in the same kernel: {differences}"
        problems = rerun_problems({i: nb.cells[i].outputs for _s, i, _c in reruns}, reruns)
        assert not problems, f"{self.path.name}, questions re-run:\n" + "\n\n".join(problems)
        ours = set(builtin_signals())
        claimed = {
            signal
            for signal, (_since, lessons) in parse_table(readme_table()).items()
            if self.path.stem in lessons and signal in ours
        }
        shown = set(signals) & ours
        assert shown == claimed, (
            f"{self.path.name} has a live receiver for {sorted(shown)}, the README credits it"
            f" with {sorted(claimed)}: run `.venv/bin/python -m signals_lab.tools.coverage`"
        )

    def reportinfo(self):
        return self.path, None, f"{self.path.name}: run twice, signal coverage, questions re-run"
