"""The shape of the house: what `docs/architecture.md` promises about the source tree itself.

The layers between apps are held by import-linter (`[tool.importlinter]` in pyproject.toml, run by
`make lint` and `.ci/run`); these tests hold what a contract on imports cannot say.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
MAX_LINES = 800


def _source_files():
    tracked = subprocess.run(
        ["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in tracked:
        parts = Path(name).parts
        if "migrations" in parts or "tests" in parts or Path(name).name == "conftest.py":
            continue
        yield ROOT / name


def test_no_source_file_outside_migrations_and_tests_is_over_800_lines():
    files = list(_source_files())
    assert len(files) > 100  # the walk found the tree, not an empty checkout
    long = {
        str(path.relative_to(ROOT)): n
        for path in files
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_every_project_app_is_named_in_the_layers_contract():
    """A new app must take its place in the layers, or the contract would not see it."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    linter = config["tool"]["importlinter"]
    layered = {
        name.strip()
        for layer in linter["contracts"][0]["layers"]
        for name in layer.replace(":", "|").split("|")
    }
    ours = {config.name for config in apps.get_app_configs() if Path(config.path).parent == ROOT}
    assert ours <= set(linter["root_packages"])
    assert ours <= layered
