"""Text from files and APIs is inert in every command's output: the `text` module, and
`opsboard query` (table, CSV, JSON), `alerts list`, `ingest` lines and the logs on a
database that holds escape sequences (as one written before ingest refused them may)."""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from opsboard.cli.main import main
from opsboard.storage.alert_writes import NewAlert
from opsboard.storage.store import Store
from opsboard.text import (
    InertFormatter,
    inert,
    inert_json,
    inert_lines,
    inert_message,
    text_problem,
)

ESCAPES = "\x1b]0;pwned\x07\x1b[2J"
SKU = f"sku-{ESCAPES}\u202e[bold]x"
AT = datetime(2026, 6, 18, 2, tzinfo=UTC)


def test_inert_shows_every_control_character_escaped() -> None:
    assert inert("春季新品推广 [bold]") == "春季新品推广 [bold]"
    assert inert(ESCAPES) == "\\x1b]0;pwned\\x07\\x1b[2J"
    assert inert("a\nb\tc\x7f\x9b\u202e\u2066") == "a\\x0ab\\x09c\\x7f\\x9b\\u202e\\u2066"
    assert inert_lines("one\n\ttwo\x1b") == "one\n\ttwo\\x1b"
    assert inert_json('{"a": "\u202e\x9b"}\n') == '{"a": "\\u202e\\u009b"}\n'
    assert inert_message("f\nx.csv: bad\n  fix: do this") == "f\\x0ax.csv: bad\n  fix: do this"


def test_ids_and_names_that_cannot_be_stored() -> None:
    assert text_problem("EX-708-BL", "SKU") is None
    assert text_problem("示例绞肉机\t家用", "product name", name=True) is None
    assert "control character \\x1b (at character 5)" in (text_problem("SKU-\x1b[2J", "SKU") or "")
    assert "\\x00" in (text_problem("a\x00b", "SKU") or "")
    assert "\\u202e" in (text_problem("a\u202eb", "plan name", name=True) or "")
    assert "at most 128" in (text_problem("x" * 129, "SKU") or "")
    assert text_problem("x" * 512, "name", name=True) is None
    assert "at most 512" in (text_problem("x" * 513, "name", name=True) or "")


def test_a_log_message_cannot_forge_a_line() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(InertFormatter("%(levelname)s %(message)s"))
    log = logging.getLogger("opsboard.test-inert")
    log.addHandler(handler)
    try:
        log.warning("refused %s", "a.csv\nERROR everything is fine\x1b[2J.csv")
    finally:
        log.removeHandler(handler)
    assert stream.getvalue() == "WARNING refused a.csv\\x0aERROR everything is fine\\x1b[2J.csv\n"


@pytest.fixture
def hostile_db(tmp_path: Path) -> Path:
    db = tmp_path / "o.db"
    with Store.open(db) as store:
        with store.batch(source="test", origin="old") as batch:
            batch.add_raw([("s1", "day", int(AT.timestamp()), "", "", SKU, "uv", 7.0)])
            batch.add_names({("s1", "sku", SKU): "[bold]big[/bold]"})
        with store.alerts.revising() as revision:
            revision.write([
                NewAlert(
                    rule="sku-bounce", store="s1", scope=f"sku:{SKU}", state="firing",
                    severity="warning", value=0.9, threshold=0.75,
                    message=f"bounce 90% on {SKU}\nforged line", labels={}, detail={},
                    pending_since=AT, at=AT,
                )
            ])  # fmt: skip
    return db


def _no_raw_controls(text: str) -> None:
    for raw in ("\x1b", "\x07", "\u202e"):
        assert raw not in text


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_query_output_is_inert(
    hostile_db: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["query", "uv", "--by", "sku", "--from", "2026-06-18", "--to", "2026-06-18"]
    assert main([*args, "--format", fmt, "--db", str(hostile_db)]) == 0
    out = capsys.readouterr().out
    _no_raw_controls(out)
    if fmt == "json":
        assert "\\u001b]0;pwned" in out
    else:
        assert "sku-\\x1b]0;pwned\\x07\\x1b[2J\\u202e[bold]x" in out
        assert "[bold]big[/bold]" in out  # a name is never Rich markup


def test_alerts_list_is_inert(hostile_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["alerts", "list", "--db", str(hostile_db)]) == 0
    out = capsys.readouterr().out
    _no_raw_controls(out)
    [line] = [line for line in out.splitlines() if "sku-bounce" in line]
    assert "bounce 90% on sku-\\x1b]0;pwned\\x07" in line
    assert line.endswith("\\x0aforged line")
    assert main(["alerts", "list", "--format", "json", "--db", str(hostile_db)]) == 0
    _no_raw_controls(capsys.readouterr().out)


def test_an_ingest_line_names_a_hostile_file_inert(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "report\n2026 ok: 999 rows\x1b]0;pwned\x07.csv"
    path.write_text("not,a,report\n1,2,3\n", encoding="utf-8")
    assert main(["ingest", str(path), "--store", "s1", "--db", str(tmp_path / "o.db")]) == 1
    err = capsys.readouterr().err
    _no_raw_controls(err)
    first, *rest = err.splitlines()
    assert "report\\x0a2026 ok: 999 rows\\x1b]0;pwned\\x07.csv: rejected: " in first
    assert all(line.startswith("  fix: ") for line in rest)


def test_a_chat_message_is_inert() -> None:
    from opsboard.alerts.notify import compose, emit_json

    message = compose(
        "firing",
        [{"rule": "sku-bounce", "store": "s1", "severity": "warning",
          "message": f"bounce on {SKU}\nforged line"}],
    )  # fmt: skip
    _no_raw_controls(message.title + message.text)
    assert message.text == "bounce on sku-\\x1b]0;pwned\\x07\\x1b[2J\\u202e[bold]x\\x0aforged line"
    out = io.StringIO()
    emit_json(message.to_json(), out)
    _no_raw_controls(out.getvalue())
    assert out.getvalue().count("\n") == 1
    raw = io.StringIO()
    emit_json({"scope": "sku:\u202e\x9b\x1b"}, raw)
    assert raw.getvalue() == '{"scope": "sku:\\u202e\\u009b\\u001b"}\n'
