"""The database on disk: private modes whatever the umask, team folders, read-only files
and folders, paths that are not databases. Checks that need another account run as
``nobody`` when the suite runs as root (root passes every permission check), with the code
they import copied where that account can read it: the checkout may live in a private folder."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from opsboard.errors import StoreError
from opsboard.storage import Store
from opsboard.storage.store import file_mode

ROOT = os.geteuid() == 0
NOBODY = 65534


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The common umask of a login shell, which strips group write."""
    before = os.umask(0o022)
    yield
    os.umask(before)


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[Path]:
    """A folder another account may enter (pytest's own tmp folders are owner-only)."""
    folder = Path(tempfile.mkdtemp(prefix="opsboard-test-", dir="/tmp"))
    folder.chmod(0o777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@functools.cache
def readable_imports() -> Path:
    """A folder any account can read, holding the packages the child interpreters import.

    The checkout (and the editable install that points into it) may sit in a folder only
    its owner can enter, such as a clone under root's home or in ``mktemp -d``: the other
    account would then fail to import opsboard, whatever the test checks.
    """
    import opsboard.errors
    import opsboard.models
    import opsboard.storage  # noqa: F401 - loads what the child code needs

    folder = Path(tempfile.mkdtemp(prefix="opsboard-imports-", dir="/tmp"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    stdlib = {Path(p).resolve() for p in (sys.base_prefix, sys.base_exec_prefix)}
    copied: set[Path] = set()
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if not file or not module.__name__ or module.__name__.startswith("_"):
            continue
        source = Path(file).resolve()
        if any(source.is_relative_to(root) for root in stdlib):
            continue
        top = module.__name__.split(".")[0]
        top_path = source
        for _ in range(module.__name__.count(".") + (source.name == "__init__.py")):
            top_path = top_path.parent
        if top_path in copied or top_path.stem != top:
            continue
        copied.add(top_path)
        if top_path.is_dir():
            shutil.copytree(top_path, folder / top, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(top_path, folder / top_path.name)
    for path in (folder, *folder.rglob("*")):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return folder


def as_user(code: str, *, user: int | None = None) -> str:
    """Run ``code`` in a fresh interpreter, as ``user`` (root only) or as this user; its
    stdout and stderr."""
    command = [sys.executable, "-c", textwrap.dedent(code)]
    extra: dict[str, Any] = {}
    if user is not None:
        setpriv = shutil.which("setpriv")
        if setpriv:
            # setpriv keeps its rights until the exec, so an interpreter under /root starts.
            command = [setpriv, f"--reuid={user}", f"--regid={user}", "--clear-groups", *command]
        else:
            extra = {"user": user, "group": user, "extra_groups": []}
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            check=False,
            cwd="/tmp",
            env={**os.environ, "HOME": "/tmp", "PYTHONPATH": str(readable_imports())},
            **extra,
        )
    except PermissionError:
        pytest.skip(f"{sys.executable} cannot be started as uid {user}")
    return str(done.stdout + done.stderr)


def unprivileged() -> int | None:
    """The account the permission checks run as: nobody under root, else this user."""
    return NOBODY if ROOT else None


def test_a_team_folder_is_group_writable_whatever_the_umask(
    tmp_path: Path, umask_022: None
) -> None:
    path = tmp_path / "team" / "opsboard.db"
    with Store.open(path, group_access=True) as store:
        store.acquire_collector_lock()
        assert file_mode(path.parent) == 0o770
        assert file_mode(path) == 0o660
        assert file_mode(path.with_name("opsboard.db.collector.lock")) == 0o660


def test_an_owner_only_folder_and_lock_whatever_the_umask(tmp_path: Path, umask_022: None) -> None:
    path = tmp_path / "mine" / "opsboard.db"
    with Store.open(path) as store:
        store.acquire_collector_lock()
        assert file_mode(path.parent) == 0o700
        assert file_mode(path) == 0o600
        assert file_mode(path.with_name("opsboard.db.collector.lock")) == 0o600


def test_an_existing_folder_keeps_its_mode(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    with Store.open(tmp_path / "opsboard.db"):
        assert file_mode(tmp_path) == 0o755


@pytest.mark.skipif(not ROOT, reason="needs a second account (run as root to switch users)")
def test_a_group_member_uses_a_teammates_database(shared: Path, umask_022: None) -> None:
    path = shared / "team" / "opsboard.db"
    with Store.open(path, group_access=True) as store:
        store.acquire_collector_lock()
    for item in (path.parent, *path.parent.iterdir()):
        os.chown(item, -1, NOBODY)  # the team's group, as a setgid folder would give
    out = as_user(
        f"""
        from datetime import UTC, datetime
        from opsboard.models import MetricPoint
        from opsboard.storage import Store
        with Store.open({str(path)!r}, group_access=True) as store:
            store.write_points([MetricPoint("s1", datetime(2026, 6, 18, tzinfo=UTC), "hour",
                                            "uv", 5.0)])
            store.acquire_collector_lock()
            print("collecting", store.point_count())
        """,
        user=NOBODY,
    )
    assert "collecting 1" in out, out
    assert path.stat().st_uid == 0  # still the teammate's file, still the team's mode
    assert file_mode(path) == 0o660


def test_a_read_only_database_is_never_made_writable(shared: Path) -> None:
    path = shared / "opsboard.db"
    as_user(f"from opsboard.storage import Store; Store.open({str(path)!r}).close()",
            user=unprivileged())  # fmt: skip
    path.chmod(0o400)
    out = as_user(
        f"""
        from opsboard.errors import StoreError
        from opsboard.storage import Store
        try:
            Store.open({str(path)!r})
        except StoreError as exc:
            print("refused:", exc.message)
        with Store.open({str(path)!r}, readonly=True) as store:
            print("read", store.point_count())
        """,
        user=unprivileged(),
    )
    assert "refused:" in out, out
    assert "read-only for this user" in out
    assert "read 0" in out, out
    assert file_mode(path) == 0o400
    with Store.open(path):  # even an account that may write leaves the mode alone
        assert file_mode(path) == 0o400


def test_a_read_only_folder_says_so_and_can_still_be_read(shared: Path) -> None:
    folder = shared / "archive"
    path = folder / "opsboard.db"
    out = as_user(
        f"""
        from datetime import UTC, datetime
        from opsboard.models import MetricPoint
        from opsboard.storage import Store
        with Store.open({str(path)!r}) as store:
            store.write_points([MetricPoint("s1", datetime(2026, 6, 18, tzinfo=UTC), "hour",
                                            "uv", 5.0)])
        """,
        user=unprivileged(),
    )
    assert out == "", out
    assert not path.with_name("opsboard.db-wal").exists()
    folder.chmod(0o555)
    try:
        out = as_user(
            f"""
            from opsboard.errors import StoreError
            from opsboard.storage import Store
            try:
                Store.open({str(path)!r})
            except StoreError as exc:
                print(exc)
            with Store.open({str(path)!r}, readonly=True) as store:
                print("read", store.point_count())
            """,
            user=unprivileged(),
        )
    finally:
        folder.chmod(0o755)
    assert "the folder is not writable for this user" in out, out
    assert "opsboard.db-wal" in out  # why a folder must be writable
    assert "retry later" not in out
    assert "read 1" in out, out


def test_an_uncreatable_lock_file_is_a_clear_error(db_path: Path) -> None:
    db_path.with_name(db_path.name + ".collector.lock").mkdir()
    with Store.open(db_path) as store:
        with pytest.raises(StoreError, match="cannot create or open the collector lock") as info:
            store.acquire_collector_lock()
        assert "writable" in (info.value.hint or "")
        assert not store.is_collector


def test_a_database_folder_that_cannot_be_made_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="cannot create the database folder"):
        Store.open("/proc/opsboard-nope/z.db")
