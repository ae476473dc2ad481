"""The file reader under random and near-valid files: each is loaded right or refused with
a reason, never a traceback and never in part.

Near-valid files are the real-layout samples (``tests/data/samples``) with a few bytes
changed, inserted, deleted or cut, lines doubled or dropped, hostile cells put in (escape
sequences, NUL, quotes, separators, huge numbers, bidi overrides), sometimes zipped. The
run is deterministic (derandomised, a bounded number of examples) and takes seconds.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csv_formats.support import read
from opsboard.adapters.api import InvalidPoint, OpsboardError, text_problem
from opsboard.storage import Store

SAMPLES = sorted((Path(__file__).parents[1] / "data" / "samples").glob("*.csv"))
DAY = date(2026, 6, 18)
HOSTILE = [
    b"\x1b]0;pwned\x07", b"\x1b[2J", b"\x00", b'"', b",", b";", b"\t", b"\n", b"\r\n", b"\r",
    b"\xef\xbb\xbf", b"\xff\xfe", b"\xe2\x80\xae", b"-", b"nan", b"1e309", b"-5", b"9999-12-31",
    b"0000-00-00", b"x" * 300, "总计".encode(), "合计：".encode("gb18030"), b"Total: ",
    b"1,234.5.6", b"$", b"%", b"\xc0\x80",
]  # fmt: skip
KINDS = ["replace", "insert", "delete", "truncate", "double line", "drop line", "cell"]
SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

mutation = st.tuples(
    st.sampled_from(KINDS),
    st.floats(0, 1, allow_nan=False),
    st.one_of(st.sampled_from(HOSTILE), st.binary(min_size=1, max_size=8)),
)


def mutate(data: bytes, kind: str, where: float, payload: bytes) -> bytes:
    """``data`` with one change at the fraction ``where`` of its length."""
    at = min(int(where * len(data)), len(data))
    if kind == "replace":
        return data[:at] + payload + data[at + len(payload) :]
    if kind == "insert":
        return data[:at] + payload + data[at:]
    if kind == "delete":
        return data[:at] + data[at + len(payload) :]
    if kind == "truncate":
        return data[:at]
    lines = data.split(b"\n")
    index = min(int(where * len(lines)), len(lines) - 1)
    if kind == "double line":
        lines.insert(index, lines[index])
    elif kind == "drop line":
        del lines[index]
    else:  # a cell of that line replaced by the payload
        cells = lines[index].split(b",")
        cells[len(cells) // 2] = payload
        lines[index] = b",".join(cells)
    return b"\n".join(lines)


def check(name: str, data: bytes, tmp: Path) -> None:
    """Read and load one file into a fresh store: loaded whole or refused whole."""
    path = tmp / name
    path.write_bytes(data)
    written = -1
    with Store.open(tmp / "fuzz.db") as store:
        try:
            parsed = read(path, day=DAY)
            with store.batch(
                source="fuzz", origin=name, format=parsed.format, store=parsed.store
            ) as batch:
                written = batch.add_raw(parsed.points) + batch.add_fine(parsed.fine_points)
                batch.add_names(parsed.names)
        except (OpsboardError, InvalidPoint) as exc:
            refusal = str(exc)
        else:
            refusal = ""
        stored = store.conn.execute("SELECT count(*) FROM points").fetchone()[0]
        if refusal:
            assert refusal.strip(), "a refusal gives its reason"
            assert stored == 0, f"refused ({refusal}) but {stored} points were stored"
            return
        assert (stored > 0) == (written > 0)
        for (text,) in store.conn.execute(
            "SELECT campaign FROM series UNION SELECT sku FROM series UNION SELECT term "
            "FROM series UNION SELECT source FROM series UNION SELECT keyword FROM series"
        ):
            assert text_problem(text, "id") is None, text


@SETTINGS
@given(
    sample=st.sampled_from(SAMPLES),
    changes=st.lists(mutation, max_size=3),
    zipped=st.booleans(),
)
def test_near_valid_files_load_whole_or_are_refused_with_a_reason(
    sample: Path, changes: list[tuple[str, float, bytes]], zipped: bool
) -> None:
    data = sample.read_bytes()
    for kind, where, payload in changes:
        data = mutate(data, kind, where, payload)
    name = sample.name
    if zipped:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(sample.name, data)
        data, name = buffer.getvalue(), sample.stem + ".zip"
    with tempfile.TemporaryDirectory() as tmp:
        check(name, data, Path(tmp))


@SETTINGS
@given(
    data=st.binary(max_size=3000),
    name=st.sampled_from(["report.csv", "report.xlsx", "report.xls", "report.zip", "报表.txt"]),
)
def test_random_bytes_are_refused_with_a_reason_or_loaded_whole(data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        check(name, data, Path(tmp))


def test_the_unchanged_samples_load_as_before() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for sample in SAMPLES:
            if sample.name.startswith("broken_"):
                continue
            parsed = read(sample, day=DAY)
            db = Path(tmp) / f"{sample.stem}.db"
            with Store.open(db) as store, store.batch(source="fuzz", origin=sample.name) as batch:
                assert batch.add_raw(parsed.points) > 0, sample.name
