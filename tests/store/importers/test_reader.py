"""Reading files: encodings, delimiters, line endings, XLSX, and clear refusals."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from kambot.config import Settings
from kambot.errors import DataError, LimitExceededError
from kambot.store.importers.reader import EXTRA_CELLS, open_table

MakeFile = Callable[..., Path]


def read_all(
    path: Path, settings: Settings, **kw: str
) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    with open_table(path, settings, **kw) as src:
        return src.header, list(src.rows())


def test_crlf_bom_and_row_numbers_as_a_spreadsheet_shows_them(
    make_file: MakeFile, settings: Settings
) -> None:
    path = make_file(
        "a.csv", '\ufeffid,name,note\r\n1,Acme,"two\r\nlines"\r\n\r\n2,Beta,x\r\n', "utf-8"
    )
    header, rows = read_all(path, settings)
    assert header == ["id", "name", "note"]
    # The multi-line cell is one spreadsheet row; the blank row still counts.
    assert rows == [
        (2, {"id": "1", "name": "Acme", "note": "two\r\nlines"}),
        (4, {"id": "2", "name": "Beta", "note": "x"}),
    ]


def test_semicolon_and_cp1252_are_detected(make_file: MakeFile, settings: Settings) -> None:
    text = "nom;ville;montant\nà la carte;Besançon;1 234,56\nÉlectricité;Orléans;12,5\n"
    path = make_file("fr.csv", text, "cp1252")
    with open_table(path, settings) as src:
        assert src.info.encoding == "cp1252"
        assert src.info.delimiter == ";"
        rows = list(src.rows())
    assert rows[0][1] == {"nom": "à la carte", "ville": "Besançon", "montant": "1 234,56"}


def test_latin1_after_a_long_ascii_start_is_read_with_a_note(
    make_file: MakeFile, settings: Settings
) -> None:
    text = "a,b\n" + "x,1\n" * 30_000 + "Société,2\n"
    path = make_file("late.csv", text, "latin-1")
    with open_table(path, settings) as src:
        rows = list(src.rows())
        notes = src.info.notes
    assert rows[-1] == (30_002, {"a": "Société", "b": "2"})
    assert "not valid utf-8" in notes[0] and "line 30002" in notes[0]


def test_declared_utf8_that_is_latin1_names_offset_and_line(
    make_file: MakeFile, settings: Settings
) -> None:
    path = make_file("decl.csv", "name,city\nAcme,Paris\nSociété,Orléans\n", "latin-1")
    with pytest.raises(DataError) as info:
        open_table(path, settings, encoding="utf-8")
    message = str(info.value)
    assert "does not decode as utf-8" in message
    assert "offset 25" in message and "line 3" in message and "0xE9" in message
    assert "re-save the file as CSV UTF-8" in message
    assert "cp1252" in message  # what it looks like
    assert info.value.details["offset"] == 25


def test_utf16_with_bom_is_text(make_file: MakeFile, settings: Settings) -> None:
    path = make_file("u16.csv", "a\tb\nÉté\t1\n", "utf-16")
    header, rows = read_all(path, settings)
    assert header == ["a", "b"]
    assert rows == [(2, {"a": "Été", "b": "1"})]


def test_empty_and_blank_files(make_file: MakeFile, settings: Settings) -> None:
    with pytest.raises(DataError, match="file is empty"):
        open_table(make_file("e.csv", ""), settings)
    with pytest.raises(DataError, match="file is empty"):
        open_table(make_file("b.csv", "\r\n\r\n,,\r\n"), settings)


def test_size_limit_names_size_limit_and_setting(make_file: MakeFile, settings: Settings) -> None:
    path = make_file("big.csv", "a,b\n" + "1,2\n" * 500)
    small = settings.model_copy(update={"max_import_bytes": 1000})
    with pytest.raises(LimitExceededError) as info:
        open_table(path, small)
    assert "2004 bytes" in str(info.value) and "1000 bytes" in str(info.value)
    assert "KAMBOT_MAX_IMPORT_BYTES" in str(info.value)
    assert info.value.details == {
        "size": 2004,
        "limit": 1000,
        "setting": "KAMBOT_MAX_IMPORT_BYTES",
    }


def test_row_limit(make_file: MakeFile, settings: Settings) -> None:
    path = make_file("rows.csv", "a\n1\n2\n3\n")
    few = settings.model_copy(update={"max_import_rows": 2})
    with pytest.raises(LimitExceededError, match="KAMBOT_MAX_IMPORT_ROWS"):
        read_all(path, few)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "is a PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is a PNG image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "old Excel .xls"),
        (bytes(range(256)) * 8, "is a binary file"),
    ],
)
def test_binary_files_renamed_csv_are_refused(
    tmp_path: Path, settings: Settings, content: bytes, expected: str
) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(content)
    with pytest.raises(DataError, match=expected) as info:
        open_table(path, settings)
    assert "CSV" in str(info.value)


def test_random_bytes_are_refused(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "noise.csv"
    path.write_bytes(os.urandom(4096) + b"\x00")
    with pytest.raises(DataError, match="binary file"):
        open_table(path, settings)


def test_a_zip_that_is_not_a_workbook(tmp_path: Path, settings: Settings) -> None:
    import zipfile

    path = tmp_path / "x.csv"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(DataError, match="ZIP archive, not an XLSX"):
        open_table(path, settings)


def test_missing_header_is_explained(make_file: MakeFile, settings: Settings) -> None:
    path = make_file(
        "nohdr.csv", "536382,10002,GLOBE,12,2010-12-01 09:45:00,0.85,16098.0,United Kingdom\n"
    )
    with pytest.raises(DataError, match="row 1 should hold the column names but looks like data"):
        open_table(path, settings)


def test_duplicate_column_names_are_refused(make_file: MakeFile, settings: Settings) -> None:
    with pytest.raises(
        DataError, match=r"column 'a' appears twice in the header \(columns 1 and 3\)"
    ):
        open_table(make_file("d.csv", "a,b,a\n1,2,3\n"), settings)


def test_extra_cells_are_kept_for_the_validator(make_file: MakeFile, settings: Settings) -> None:
    _, rows = read_all(make_file("x.csv", "a,b\n1,2,3\n4\n"), settings)
    assert rows[0] == (2, {"a": "1", "b": "2", EXTRA_CELLS: ["3"]})
    assert rows[1] == (3, {"a": "4"})


def test_single_column_file(make_file: MakeFile, settings: Settings) -> None:
    header, rows = read_all(make_file("one.csv", "name\nAcme\nBeta\n"), settings)
    assert header == ["name"] and [r[1]["name"] for r in rows] == ["Acme", "Beta"]


def test_broken_quotes_name_the_row(make_file: MakeFile, settings: Settings) -> None:
    import csv

    old = csv.field_size_limit(50)
    try:
        path = make_file("q.csv", 'a,b\n1,"' + "x" * 100 + "\n")
        with pytest.raises(DataError, match="row 2 is not valid CSV"):
            read_all(path, settings)
    finally:
        csv.field_size_limit(old)


def _workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Notes"
    ws.append(["nothing here"])
    data = wb.create_sheet("Accounts")
    data.append(["external_id", "name", "employees", "selected_on"])
    data.append([16098.0, "  Acme  ", 120, datetime(2024, 3, 1)])
    data.append([None, None, None, None])
    data.append(["B2", "Beta", None, None])
    wb.save(path)
    return path


def test_xlsx_named_sheet_typed_cells_and_row_numbers(tmp_path: Path, settings: Settings) -> None:
    path = _workbook(tmp_path / "book.xlsx")
    with open_table(path, settings, sheet="Accounts") as src:
        assert src.info.format == "xlsx" and src.info.sheet == "Accounts"
        assert src.header == ["external_id", "name", "employees", "selected_on"]
        rows = list(src.rows())
    assert rows[0] == (
        2,
        {
            "external_id": 16098,
            "name": "Acme",
            "employees": 120,
            "selected_on": datetime(2024, 3, 1),
        },
    )
    assert rows[1][0] == 4  # the blank row 3 is skipped but counted


def test_xlsx_first_sheet_by_default_and_unknown_sheet(tmp_path: Path, settings: Settings) -> None:
    path = _workbook(tmp_path / "book.xlsx")
    with open_table(path, settings) as src:
        assert src.info.sheet == "Notes"
    with pytest.raises(DataError, match="no sheet named 'Data'") as info:
        open_table(path, settings, sheet="Data")
    assert "Notes, Accounts" in str(info.value)


def test_excel_sep_line_names_the_delimiter(make_file: MakeFile, settings: Settings) -> None:
    path = make_file("x.csv", "sep=;\r\nnom;montant\r\nAcme;12,5\r\n", "cp1252")
    with open_table(path, settings) as src:
        assert src.info.delimiter == ";" and src.header == ["nom", "montant"]
        assert list(src.rows()) == [(2, {"nom": "Acme", "montant": "12,5"})]
