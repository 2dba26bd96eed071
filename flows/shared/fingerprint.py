"""Each dataset's fingerprint: a digest of what shapes its tables, recorded in its manifests, so that a change
reprocesses exactly the datasets it shapes and no other.

What shapes a dataset (`SHAPES`):
- the module that builds its tables and every project module it imports, followed through their imports, as
  Python runs them (an import under `if TYPE_CHECKING:` runs nowhere and does not count): so a helper it calls
  counts, and a flow, a surface (cli, lookup, site, pricing, …) or another dataset's build does not;
- its folder of SQL models and audits under `sql/` (not its `views/`, which are pfs.duckdb's);
- the parts of its configuration that reach its tables (not where files are downloaded from, nor how pfs runs).
"""

from __future__ import annotations

import ast
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flows import settings
from flows.releases import catalog

PACKAGES = ("flows", "transforms")  # the project's own code; anything else is a library
# Sections of config/defaults.toml that say how pfs runs (downloads, batches, archive guards, schedule, Prefect,
# pfs.duckdb's storage version, the object store copy), not what its tables hold
RUNNING_SECTIONS = ("download", "refresh", "archive", "schedule", "prefect", "server", "lake", "publish")


# How every dataset's tables become files: the Parquet written (compression, the partition keys left to the
# folders) and which tables each dataset publishes. The rest of flows/lake/ (commit, pfs.duckdb, its views)
# decides where and when files appear, not what they hold.
PUBLISHING = ("flows/lake/publish.py", "flows/lake/layout.py")
VIEWS = "views"  # a dataset's views in pfs.duckdb (sql/<dataset>/views/): no table is made of them


@dataclass(frozen=True)
class Shape:
    build: str  # the module that builds the dataset's tables
    sql: tuple[str, ...]  # its folders under sql/
    config: Callable[[Path], object]  # what of config/ reaches its tables, read from that folder


def _release_config(config: Path) -> object:
    """The defaults that shape tables, and of the catalog what reaches them (recording a sha256 or correcting a
    URL there does not make every release reprocess)."""
    defaults = settings.read_toml(config / "defaults.toml")
    releases = catalog.releases_of(settings.read_toml(config / "releases.toml")).values()
    shaping = sorted((r.label, r.year, r.effective_from, r.work_gpci_floor) for r in releases)
    return {k: v for k, v in defaults.items() if k not in RUNNING_SECTIONS}, shaping


def _zip_locality_config(config: Path) -> object:
    """Which members of the archive are read: the quarters' URLs and checksums reach no table."""
    defaults = settings.read_toml(config / "zip_locality.toml")["defaults"]
    return defaults["file"], defaults["file9"]


def _utilization_config(config: Path) -> object:
    """The data file's pattern, the specialty aliases and the facility places (config/places_of_service.toml); not
    the pass size, which changes how the file is read, not what comes of it, nor where each year is served."""
    rules = settings.read_toml(config / "utilization.toml")
    places = settings.read_toml(config / "places_of_service.toml")
    return {k: v for k, v in rules.items() if k not in ("provider_service", "year")}, places


SHAPES: dict[str, Shape] = {
    "release": Shape("flows.releases.build", ("releases",), _release_config),
    "zip_locality": Shape("flows.zip_locality.build", ("zip_locality",), _zip_locality_config),
    "utilization": Shape("flows.utilization.build", (), _utilization_config),
}


def fingerprint(dataset: str, root: Path | None = None) -> str:
    """The digest of what shapes the dataset's tables: its code, its SQL, its configuration. `root`: a copy of
    the project to read instead of this one (its code, sql/ and config/)."""
    shape = SHAPES[dataset]
    code_root = root or settings.ROOT
    sql = root / "sql" if root else settings.SQL
    config = root / "config" if root else settings.CONFIG
    digest = hashlib.sha256()
    for path in sorted(code_files(shape.build, code_root) | {code_root / name for name in PUBLISHING}):
        digest.update(str(path.relative_to(code_root)).encode() + b"\0" + path.read_bytes())
    for folder in shape.sql:
        for path in sorted(p for p in (sql / folder).rglob("*.sql") if VIEWS not in p.relative_to(sql / folder).parts):
            digest.update(str(path.relative_to(sql)).encode() + b"\0" + path.read_bytes())
    digest.update(json.dumps(shape.config(config), sort_keys=True, default=str).encode())
    return digest.hexdigest()


@cache
def code_files(module: str, root: Path) -> frozenset[Path]:
    """The files of the module and of every project module it imports, followed through their imports."""
    files: set[Path] = set()
    todo, seen = [module], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = _file_of(name, root)
        if path is not None:
            files.add(path)
            todo += _imports(path, name)
    return frozenset(files)


def _file_of(module: str, root: Path) -> Path | None:
    """The project file of a module name, or None (a library, or a name that is not a module)."""
    parts = module.split(".")
    if parts[0] not in PACKAGES:
        return None
    base = root.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(path: Path, module: str) -> list[str]:
    """The modules a file imports when it runs, its packages' __init__ included."""
    tree = ast.parse(path.read_text(), str(path))
    type_only = {
        id(node)
        for block in ast.walk(tree)
        if _is_type_checking(block)
        for statement in block.body
        for node in ast.walk(statement)
    }
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    names: list[str] = []
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = ".".join([*package[: len(package) - node.level + 1], node.module or ""] if node.level else
                            [node.module or ""]).strip(".")  # fmt: skip
            names += [base, *(f"{base}.{alias.name}" for alias in node.names)]  # a name may be a submodule
    return [".".join(name.split(".")[:i]) for name in names for i in range(1, name.count(".") + 2)]


def _is_type_checking(node: ast.AST) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )
