"""Make the repository importable as ``ansible_collections.alertmesh.ha``.

Plugins import each other by their collection path, so the tests need the
repository laid out under ``ansible_collections/alertmesh/ha``. The layout is a
symlink in a temporary directory; the repository itself is never moved.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def _collection_importable() -> bool:
    try:
        return importlib.util.find_spec("ansible_collections.alertmesh.ha") is not None
    except ModuleNotFoundError:
        return False


def _expose_collection() -> None:
    if _collection_importable():
        return
    layout_root = Path(tempfile.mkdtemp(prefix="alertmesh-collections-"))
    namespace_dir = layout_root / "ansible_collections" / "alertmesh"
    namespace_dir.mkdir(parents=True)
    (namespace_dir / "ha").symlink_to(REPO_ROOT, target_is_directory=True)
    sys.path.insert(0, str(layout_root))


_expose_collection()
