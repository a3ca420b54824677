"""The layout is checked by a tool (STYLE.md): import-linter's contracts in pyproject.toml
(`[tool.importlinter]`) hold for amkit, and each of them catches a violation planted in a copy
of the package (so a contract that stops checking anything fails here, not in review)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.backend_free  # runs once, in the SQLite run (tests/conftest.py)

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
LINT = Path(sys.executable).with_name("lint-imports")

CONFIG = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]
CONTRACTS = {c["id"]: c for c in CONFIG["contracts"]}


def lint(root: Path) -> subprocess.CompletedProcess:
    """`lint-imports` on the package `amkit` found under `root`, with root's pyproject.toml."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT), "--config", str(root / "pyproject.toml"), "--no-cache"], cwd=root,
                          env=env, capture_output=True, text=True, timeout=120)


def status(output: str, contract_id: str) -> str:
    """KEPT or BROKEN, as lint-imports reports the contract."""
    name = CONTRACTS[contract_id]["name"]
    found = re.search(rf"^{re.escape(name)} (KEPT|BROKEN)", output, re.MULTILINE)
    assert found, f"contract {name!r} not reported:\n{output}"
    return found.group(1)


def broken_section(output: str, contract_id: str) -> str:
    """The contract's own part of the "Broken contracts" report (up to the next heading)."""
    lines = output.splitlines()
    name = CONTRACTS[contract_id]["name"]
    underline = "-" * len(name)
    start = next(i for i in range(len(lines) - 1) if lines[i] == name and lines[i + 1] == underline)
    end = next((i for i in range(start + 2, len(lines) - 1)
                if lines[i] and lines[i + 1] == "-" * len(lines[i])), len(lines))
    return "\n".join(lines[start + 2:end])


def test_contracts_hold() -> None:
    done = lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    for contract_id in CONTRACTS:
        assert status(done.stdout, contract_id) == "KEPT"
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in done.stdout


def test_every_kind_of_contract_is_there() -> None:
    assert {c["type"] for c in CONTRACTS.values()} == {"layers", "forbidden", "acyclic_siblings"}
    assert CONFIG["root_package"] == "amkit" and CONFIG["include_external_packages"] is True


# (file in the copied package, code appended to it, the contract it breaks, what the report shows)
PLANTED = {
    "calc-imports-sqlalchemy": (
        "tiers/calc.py", "\n\ndef _planted():\n    import sqlalchemy  # noqa: F401\n",
        "no-sqlalchemy-in-reads", "amkit.tiers.calc -> sqlalchemy (l."),
    "raw-imports-sqlmodel-indirectly": (
        "store/raw.py", "\n\ndef _planted():\n    from amkit.store import lookup  # noqa: F401\n",
        "no-sqlalchemy-in-reads", "amkit.store.raw -> amkit.store.lookup (l."),
    "store-imports-cli": (
        "store/bulk.py", "\n\ndef _planted():\n    from amkit import cli  # noqa: F401\n",
        "store-below-features", "amkit.store.bulk -> amkit.cli (l."),
    "store-imports-a-feature": (
        "store/backup.py", "\nfrom amkit.customers import writes  # noqa: E402,F401\n",
        "store-below-features", "amkit.store.backup -> amkit.customers.writes (l."),
    "queries-import-writes": (
        "tiers/queries.py", "\n\ndef _planted():\n    from amkit.tiers import writes  # noqa: F401\n",
        "feature-layers", "amkit.tiers.queries -> amkit.tiers.writes (l."),
    "writes-import-a-star-cli": (
        "deals/writes.py", "\n\ndef _planted():\n    from amkit.deals import payments_cli  # noqa: F401\n",
        "feature-layers", "amkit.deals.writes -> amkit.deals.payments_cli (l."),
    "writes-import-typer": (
        "goals/writes.py", "\n\ndef _planted():\n    import typer  # noqa: F401\n",
        "no-click-below-cli", "amkit.goals.writes -> typer (l."),
    "metrics-imports-ui-opts": (
        "metrics/figures.py", "\n\ndef _planted():\n    from amkit.ui import opts  # noqa: F401\n",
        "no-click-below-cli", "amkit.metrics.figures -> amkit.ui.opts (l."),
    "core-imports-config": (
        "core/text.py", "\n\ndef _planted():\n    from amkit import config  # noqa: F401\n",
        "core-is-leaf", "amkit.core.text -> amkit.config (l."),
    "raw-imports-writer": (
        "store/raw.py", "\n\ndef _planted():\n    from amkit.store import writer  # noqa: F401\n",
        "store-layers", "amkit.store.raw -> amkit.store.writer (l."),
    "transfer-cycle": (
        "transfer/tablespec.py", "\n\ndef _planted():\n    from amkit.transfer import specs  # noqa: F401\n",
        "no-cycles", "No cycles are allowed in amkit.transfer."),
}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the package and of pyproject.toml (the contracts), without caches."""
    root = tmp_path_factory.mktemp("pristine")
    shutil.copytree(ROOT / "amkit", root / "amkit", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PYPROJECT, root / "pyproject.toml")
    return root


@pytest.mark.parametrize("case", sorted(PLANTED))
def test_planted_violation_breaks_its_contract(case: str, pristine: Path, tmp_path: Path) -> None:
    relative, code, contract_id, reported = PLANTED[case]
    root = tmp_path / "copy"
    shutil.copytree(pristine, root)
    target = root / "amkit" / relative
    assert target.is_file(), relative
    target.write_text(target.read_text(encoding="utf-8") + code, encoding="utf-8")

    done = lint(root)
    assert done.returncode == 1, done.stdout + done.stderr
    assert status(done.stdout, contract_id) == "BROKEN", done.stdout
    assert reported in broken_section(done.stdout, contract_id), done.stdout


def test_the_copy_itself_is_clean(pristine: Path) -> None:
    """The planted cases fail because of what was planted, not because the copy differs."""
    done = lint(pristine)
    assert done.returncode == 0, done.stdout + done.stderr


# Module expressions take whole-name wildcards only, so the `*_cli` modules (the CLI layer)
# and the modules below the CLI are listed by name in pyproject.toml. A new module must land
# in one of the lists, or the contracts would silently not see it.

ALLOWED_CLICK = {"amkit", "amkit.__main__", "amkit.cli", "amkit.ui", "amkit.ui.click", "amkit.ui.opts",
                 "amkit.ui.completion", "amkit.ui.helptext"}
FEATURES = {c.split(".")[1] for c in CONTRACTS["feature-layers"]["containers"]}


def _modules() -> list[str]:
    out = []
    for path in sorted((ROOT / "amkit").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        out.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return out


def _covered(module: str, expressions: list[str]) -> bool:
    for expression in expressions:
        pattern = re.escape(expression).replace(r"\*", r"[^.]+")
        if re.fullmatch(rf"{pattern}(\..+)?", module):
            return True
    return False


def test_every_module_is_either_cli_or_below_it() -> None:
    sources = CONTRACTS["no-click-below-cli"]["source_modules"]
    cli_layer = {tail.strip(" ()") for tail in CONTRACTS["feature-layers"]["layers"][0].split(":")}
    missing = []
    for module in _modules():
        tail = module.rsplit(".", 1)[-1]
        is_cli = module in ALLOWED_CLICK or (module.count(".") == 2 and module.split(".")[1] in FEATURES
                                             and (tail == "cli" or tail.endswith("_cli")))
        if is_cli:
            if tail.endswith("_cli") and tail not in cli_layer:
                missing.append(f"{module}: add ({tail}) to the CLI layer of feature-layers")
        elif module.split(".")[1] in FEATURES and module.count(".") == 1:
            continue  # a feature's __init__
        elif not _covered(module, sources):
            missing.append(f"{module}: add it to the source_modules of no-click-below-cli")
    assert not missing, "\n".join(missing)


def test_every_feature_package_is_a_container() -> None:
    packages = {p.name for p in (ROOT / "amkit").iterdir() if (p / "__init__.py").is_file()}
    assert packages - FEATURES == {"core", "store", "ui", "metrics"}
    forbidden_to_store = set(CONTRACTS["store-below-features"]["forbidden_modules"])
    forbidden_to_core = set(CONTRACTS["core-is-leaf"]["forbidden_modules"])
    for feature in FEATURES:
        assert f"amkit.{feature}" in forbidden_to_store
        assert f"amkit.{feature}" in forbidden_to_core
