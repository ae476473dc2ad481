"""Bounded work per file: a line longer than any export writes is refused at once with its
number, only regular files are read (a FIFO or /dev/zero is refused, never waited on),
the header is searched in the file's head only, and a store's hostile file does not hold
up another store's good file."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from opsboard_csv.bounds import HEAD_CHARS, MAX_LINE_BYTES, head_of

from csv_drop.helpers import GOOD, drop_old, make_adapter, points
from opsboard.cli.main import main
from opsboard.collect.collector import Collector
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock

SAMPLES = Path(__file__).parent.parent / "data" / "samples"


def ingest(*args: str) -> subprocess.CompletedProcess[str]:
    """`opsboard ingest` in its own process, so that a file that blocks cannot hang the run."""
    return subprocess.run(
        [sys.executable, "-m", "opsboard", "ingest", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_5_mb_single_line_file_is_refused_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "one-line.csv"
    path.write_bytes(b"x," * 2_500_000 + b"\n")
    assert main(["ingest", str(path), "--store", "s1", "--db", str(tmp_path / "o.db")]) == 1
    err = capsys.readouterr().err
    assert "line 1: one-line.csv: the line is 5000000 bytes long, more than any export" in err
    assert "fix: this is not a report as the platform exports it" in err


def test_a_long_line_below_a_good_header_is_refused_with_its_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = (SAMPLES / "amazon_business_report_child.csv").read_bytes()
    head = b"\n".join(sample.splitlines()[:3]) + b"\n"
    path = tmp_path / "BusinessReport.csv"
    path.write_bytes(head + b"a" * (MAX_LINE_BYTES + 1) + b"\n")
    assert main(["ingest", str(path), "--store", "s1", "--db", str(tmp_path / "o.db")]) == 1
    assert "line 4: BusinessReport.csv: the line is 1048577 bytes long" in capsys.readouterr().err


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_is_refused_unread(tmp_path: Path, device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"no {device} here")
    done = ingest(device, "--store", "s1", "--db", str(tmp_path / "o.db"))
    assert done.returncode == 1
    assert "is a character device, not a regular file; only files are read" in done.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "report.csv"
    os.mkfifo(fifo)
    done = ingest(str(fifo), "--store", "s1", "--db", str(tmp_path / "o.db"))
    assert done.returncode == 1
    assert "report.csv: is a named pipe (FIFO), not a regular file" in done.stderr


def test_the_header_is_searched_in_the_head_only() -> None:
    assert head_of("a,b\n1,2\n") == "a,b\n1,2\n"
    text = "x,y\n" * HEAD_CHARS
    head = head_of(text)
    assert len(head) <= HEAD_CHARS
    assert head.endswith("\n")
    assert head_of("z" * (HEAD_CHARS + 10)) == "z" * HEAD_CHARS + "\n"


def test_rows_too_wide_for_a_header_are_passed_over(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wide = ",".join(f"col{i}" for i in range(600)) + "\n"
    path = tmp_path / "wide.csv"
    path.write_text(wide * 40 + "a,b\n", encoding="utf-8")
    assert main(["ingest", str(path), "--store", "s1", "--db", str(tmp_path / "o.db")]) == 1
    assert "not a known export format" in capsys.readouterr().err


async def test_a_hostile_file_does_not_hold_up_another_stores_file(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    drop = tmp_path / "drop"
    adapter = make_adapter(tmp_path, clock, folders=[{"path": str(drop)}], settle_seconds=0.05)
    (drop / "aaa").mkdir(parents=True)
    hostile = drop / "aaa" / "big.csv"
    hostile.write_bytes(b"x," * 2_500_000 + b"\n")
    os.utime(hostile, (1, 1))
    drop_old(drop / "zzz" / "traffic.csv", GOOD)
    report = await collector(adapter).run_cycle(force=True)
    assert report.points == {"drops": 3}
    assert {key[0] for key in points(store)} == {"zzz"}
    refused = [i for i in store.ingests() if i["status"] != "loaded"]
    assert len(refused) == 1
    assert "the line is 5000000 bytes long" in str(refused[0])
    assert (drop / "aaa" / "failed" / "big.csv").exists()


async def test_the_reason_file_of_a_hostile_name_is_inert(
    tmp_path: Path, clock: FrozenClock, store: Store, collector: Callable[..., Collector]
) -> None:
    adapter = make_adapter(tmp_path, clock, settle_seconds=0.05)
    name = "big\nreason: all fine\x1b]0;pwned\x07.csv"
    hostile = tmp_path / "drop" / name
    hostile.write_bytes(b"x," * 600_000 + b"\n")
    os.utime(hostile, (1, 1))
    await collector(adapter).run_cycle(force=True)
    note = (tmp_path / "drop" / "failed" / f"{name}.error.txt").read_text(encoding="utf-8")
    assert "\x1b" not in note
    assert "\x07" not in note
    lines = note.splitlines()
    assert lines[0] == (f"file: {tmp_path}/drop/big\\x0areason: all fine\\x1b]0;pwned\\x07.csv")
    assert [line.split(":")[0] for line in lines[:4]] == ["file", "refused at", "reason", "  fix"]
    assert len(lines) == 5
