"""The drop folders of the adapter's options, as folders of one store each.

A folder configured with a ``store`` holds that store's files; one without holds files
that name their stores, and its sub-folders are named after stores. A sub-folder whose
name cannot be a store name (``my shop``) is kept, with the problem, so that each of its
files is refused saying why, while the other stores go on.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from opsboard.adapters.api import _, store_name_problem
from opsboard_csv.options import CsvDropOptions, FolderOptions
from opsboard_csv.watcher import DropFolder


class FolderMap:
    """The folders found at the last look, the problems met, and each store's folder."""

    def __init__(self, options: CsvDropOptions) -> None:
        self.opts = options
        #: Store ("" for the source itself) -> why its folder cannot be read.
        self.problems: dict[str, str] = {}
        #: Store -> its folder and its ``stale_after``.
        self.stores: dict[str, tuple[DropFolder, timedelta | None]] = {}

    def look(self) -> list[DropFolder]:
        """Every folder that holds files for one store (sub-folders of a parent expanded)."""
        folders: list[DropFolder] = []
        self.problems = {}
        self.stores = {}
        for spec in self.opts.folders:
            if not spec.path.is_dir():
                self.problems[spec.store or ""] = _(
                    "drop folder {folder} does not exist or is not a folder "
                    "(create it, or fix `path` in the adapter's options)"
                ).format(folder=spec.path)
                continue
            folders.append(self._folder(spec, spec.path, spec.store))
            if spec.store is None:
                folders.extend(self._store_subfolders(spec))
        return folders

    def _store_subfolders(self, spec: FolderOptions) -> list[DropFolder]:
        """The sub-folders of a parent folder, each named after its store."""
        skip = {self.opts.processed_dir.name, self.opts.failed_dir.name}
        try:
            with os.scandir(spec.path) as entries:
                names = sorted(
                    e.name
                    for e in entries
                    if e.is_dir(follow_symlinks=False)
                    and not e.name.startswith(".")
                    and e.name not in skip
                )
        except OSError as exc:
            self.problems[""] = _("cannot read {folder}: {error}").format(
                folder=spec.path, error=exc.strerror
            )
            return []
        found = []
        for name in names:
            problem = store_name_problem(name)
            if problem is None:
                found.append(self._folder(spec, spec.path / name, name))
                continue
            found.append(
                self._folder(
                    spec,
                    spec.path / name,
                    None,
                    problem=_(
                        "the folder {folder} is named after no valid store: "
                        "{problem}; rename the folder after its store and drop the file again"
                    ).format(folder=spec.path / name, problem=problem),
                )
            )
        return found

    def _folder(
        self, spec: FolderOptions, path: Path, store: str | None, problem: str = ""
    ) -> DropFolder:
        folder = DropFolder(
            path=path,
            store=store,
            processed=self._inside(path, self.opts.processed_dir),
            failed=self._inside(path, self.opts.failed_dir),
            problem=problem,
        )
        if store is not None:
            self.stores[store] = (folder, spec.stale_after or self.opts.stale_after)
        return folder

    @staticmethod
    def _inside(path: Path, where: Path) -> Path:
        return where if where.is_absolute() else path / where

    def watched(self, store: str) -> tuple[Path | None, timedelta | None]:
        """The store's own processed folder (None when shared by all or unknown) and its
        ``stale_after`` (None for the source's own line: it never goes stale by itself)."""
        if not store:
            return None, None
        shared = self.opts.processed_dir.is_absolute()
        if store in self.stores:
            folder, stale_after = self.stores[store]
            return (None if shared else folder.processed), stale_after
        for spec in self.opts.folders:
            if spec.store == store:
                own = None if shared else spec.path / self.opts.processed_dir
                return own, spec.stale_after or self.opts.stale_after
        return None, self.opts.stale_after
