"""
The kit's architecture, checked: the project holds no kit code, the kit's
parts import in one direction only, one module reads Django's private
dispatcher layout, and the kit needs no POSIX-only module.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from signals_lab.layout import PACKAGE, ROOT
from signals_lab.runtime import dispatch

PROJECT = ROOT / "tutorial_project"


def _modules(folder, package):
    for path in sorted(folder.rglob("*.py")):
        parts = list(path.relative_to(folder).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        yield ".".join([package, *parts]), path


def _imports(name, path):
    """Every module ``name`` imports (top level or inside functions), absolute."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return found


KIT = dict(_modules(PACKAGE, "signals_lab"))


def _kit_imports(name):
    return {m for m in _imports(name, KIT[name]) if m in KIT and m != name}


def test_the_project_holds_no_kit_code():
    for name, path in _modules(PROJECT, "tutorial_project"):
        kit = {m for m in _imports(name, path) if m.startswith("signals_lab")}
        assert not kit, f"{path.relative_to(ROOT)} imports the kit: {sorted(kit)}"
    assert not (PROJECT / "lab").exists()


@pytest.mark.parametrize(
    ("part", "forbidden"),
    [
        ("signals_lab.layout", ("signals_lab.runtime", "signals_lab.checks", "signals_lab.tools")),
        ("signals_lab.runtime", ("signals_lab.checks", "signals_lab.tools")),
        ("signals_lab.checks", ("signals_lab.tools",)),
    ],
)
def test_no_upward_imports(part, forbidden):
    for name in KIT:
        if name == part or name.startswith(part + "."):
            bad = {m for m in _kit_imports(name) if m.startswith(forbidden)}
            assert not bad, f"{name} imports {sorted(bad)}"


def _loaded_after(code):
    """The modules a fresh interpreter holds after ``code``."""
    code += "\nimport sys; print(sorted(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return ast.literal_eval(out.stdout.splitlines()[-1])


def test_nothing_a_kernel_imports_reaches_the_tools():
    # Everything a kernel can reach as `lab.<name>`, loaded in a fresh interpreter.
    loaded = _loaded_after("import signals_lab as lab\nfor name in dir(lab): getattr(lab, name)")
    assert {"signals_lab.runtime.boot", "signals_lab.checks.runner"} <= set(loaded)
    assert not [m for m in loaded if m.startswith("signals_lab.tools")]


def test_the_learners_cli_and_a_kernels_start_load_no_django():
    # The package's names are imported on first use: `signals-lab progress` and
    # the error extension every kernel loads at start-up stay light.
    for code in ("import signals_lab.tools.cli", "import signals_lab.runtime.errors"):
        heavy = [m for m in _loaded_after(code) if m.split(".")[0] in ("django", "nbformat")]
        assert not heavy, f"{code!r} loads {heavy[:5]}"


def test_the_public_names_are_all_there():
    import signals_lab

    for name in [*signals_lab.__all__, "demos"]:
        assert name in dir(signals_lab) and getattr(signals_lab, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'bot'"):
        signals_lab.bot  # noqa: B018


def test_the_import_graph_has_no_circle():
    # A module's own parent packages are initialised by Python before it runs:
    # `from . import progress` inside signals_lab.checks is not a circle.
    graph = {
        name: {
            owner
            for owner in map(_owner, _kit_imports(name))
            if owner != name and not name.startswith(owner + ".")
        }
        for name in KIT
    }
    state = {}

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if nxt == "signals_lab" or nxt not in graph:
                continue  # the package's public face re-exports; nothing imports it back
            if state.get(nxt) == "open":
                raise AssertionError("import circle: " + " -> ".join([*path, nxt]))
            if nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])


def _owner(module):
    """The kit module a name belongs to (``signals_lab.checks.find`` -> ``signals_lab.checks``)."""
    while module not in KIT and "." in module:
        module = module.rsplit(".", 1)[0]
    return module


PRIVATE = ("sender_receivers_cache", "_live_receivers", "NO_RECEIVERS", ".receivers")


def test_only_dispatch_reads_djangos_private_dispatcher_layout():
    for name, path in KIT.items():
        if name == "signals_lab.runtime.dispatch":
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            attr = getattr(node, "attr", None) or getattr(node, "id", None)
            if attr in ("sender_receivers_cache", "_live_receivers", "NO_RECEIVERS"):
                raise AssertionError(f"{name} reads Signal.{attr}")
            if attr == "receivers" and isinstance(node, ast.Attribute):
                owner = ast.unparse(node.value)
                assert "signal" not in owner.lower(), f"{name} reads {owner}.receivers"


def test_dispatch_knows_this_djangos_layout():
    assert dispatch.check_layout() in ("5.2", "6.0+")


@pytest.mark.parametrize(
    "entry",
    [
        ((1, 2), None),  # too short
        ((1, 2), None, None, None, False),  # too long
        ("key", None, False),  # not a (receiver id, sender id) key
    ],
)
def test_dispatch_fails_clearly_on_a_layout_it_does_not_know(entry):
    with pytest.raises(dispatch.LayoutError, match="signals_lab/runtime/dispatch.py|not as"):
        dispatch._parse(entry)


def test_dispatch_reads_both_known_layouts():
    def receiver(**kwargs):
        return None

    five = dispatch._parse(((1, 2), receiver, True))
    six = dispatch._parse(((1, 2), receiver, None, False))
    assert (five.receiver, five.sender_key, five.is_async) == (receiver, 2, True)
    assert (six.receiver, six.sender_key, six.is_async) == (receiver, 2, False)


def test_kit_boots_without_fcntl(tmp_path):
    # Windows has no fcntl: the kit must import and boot, and save progress.
    code = (
        "import sys\n"
        "sys.modules['fcntl'] = None\n"
        "from signals_lab import boot\n"
        "lab = boot()\n"
        "from signals_lab.checks import progress\n"
        "progress.record('01_welcome_email', False, 'x')\n"
        "print(progress.load()['exercises']['01_welcome_email']['status'])\n"
    )
    env = {"PATH": "/usr/bin:/bin", "SIGNALS_LAB_HOME": str(tmp_path), "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "not yet"
    assert "ready" in result.stdout.splitlines()[0]


def test_one_module_owns_the_paths():
    # No other module of the kit, tests or benchmark computes the repository root.
    offenders = []
    for path in [
        *PACKAGE.rglob("*.py"),
        *(ROOT / "tests").rglob("*.py"),
        ROOT / "benchmarks" / "bench.py",
    ]:
        if path in (PACKAGE / "layout.py", Path(__file__)):
            continue
        text = path.read_text()
        if "parents[" in text or ".parent.parent" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, offenders


def test_no_dead_make_targets():
    makefile = (ROOT / "Makefile").read_text()
    phony = next(line for line in makefile.splitlines() if line.startswith(".PHONY:"))
    for target in phony.split(":", 1)[1].split():
        assert any(
            line.startswith(f"{target}:")
            or (line.split(":")[0].split().count(target) and ":" in line)
            for line in makefile.splitlines()
            if not line.startswith((".PHONY", "\t", "#"))
        ), f".PHONY names {target}, which has no rule"


def test_package_docstrings_say_what_may_import_them():
    for part in ("runtime", "checks", "tools"):
        doc = ast.get_docstring(ast.parse((PACKAGE / part / "__init__.py").read_text()))
        assert doc and "import" in doc, part
