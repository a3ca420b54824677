"""`amkit import` and `amkit export` (SPEC §3.5)."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated, Optional

import typer

from amkit.ui.opts import BomOpt, Lang, OutputOpt, example, note


class Table(str, Enum):
    customers = "customers"
    contacts = "contacts"
    managers = "managers"
    followups = "followups"
    deals = "deals"
    payments = "payments"
    contracts = "contracts"
    installments = "installments"


class ExportFmt(str, Enum):
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


IMPORT_EXAMPLES = example(
    "amkit import customers 客户名单.csv --map 客户名称=name --map 负责人=owner --create-missing",
    "amkit import managers sales_teams.csv --map sales_agent=name --map regional_office=team "
    "--map manager=lead",
    "amkit import customers accounts.csv --mapping accounts.toml --mode upsert --dry-run",
    "amkit import deals pipeline.csv --value-map stage:Won=won --key external_id --mode upsert",
)


def import_(
    table: Annotated[Table, typer.Argument(help="Table to import into.")],
    file: Annotated[str, typer.Argument(help=".csv, .tsv, .xlsx, .json or .jsonl file.", metavar="FILE")],
    map_: Annotated[Optional[list[str]], typer.Option("--map", help="SRC=FIELD (or SRC=extra.KEY, SRC=-).",
                                                      metavar="SRC=FIELD")] = None,
    value_map: Annotated[Optional[list[str]], typer.Option("--value-map", help="FIELD:SRC=DST value translation.",
                                                           metavar="FIELD:SRC=DST")] = None,
    mapping: Annotated[Optional[str], typer.Option("--mapping", help="TOML file with [map] and [value_map.FIELD].",
                                                   metavar="FILE.toml")] = None,
    encoding: Annotated[str, typer.Option("--encoding", help="auto, utf-8, gbk or gb18030.")] = "auto",
    mode: Annotated[Optional[str], typer.Option("--mode", help="create (default) or upsert.")] = None,
    key: Annotated[Optional[str], typer.Option("--key", help="Field(s) that identify a row for upsert, "
                                                             "comma separated.")] = None,
    create_missing: Annotated[bool, typer.Option("--create-missing", help="Create referenced customers/managers "
                                                                          "by name.")] = False,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Import the valid rows; write the rest to "
                                                                      "FILE.rejected.csv.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and count; write nothing.")] = False,
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="Workbook sheet: its name or number (default "
                                                                 "the first).", metavar="NAME|N")] = None,
    header_row: Annotated[Optional[int], typer.Option("--header-row", help="Row holding the column names (default: "
                                                      "the first with two or more cells, below a title).",
                                                      metavar="N")] = None,
) -> None:
    """Import rows from a file. All or nothing unless --skip-invalid."""
    from amkit.transfer.service import import_file

    summary = import_file(table.value, file, map_ or [], value_map or [], mapping, encoding, mode, key,
                          create_missing, skip_invalid, dry_run, sheet=sheet, header_row=header_row)
    note(summary)


def export(
    table: Annotated[Table, typer.Argument(help="Table to export.")],
    fmt: Annotated[ExportFmt, typer.Option("--format", "-f", help="csv, json or xlsx.")] = ExportFmt.csv,
    output: OutputOpt = None, bom: BomOpt = False,
    encoding: Annotated[str, typer.Option("--encoding", help="Text encoding for csv/json (utf-8, gbk, "
                                                             "gb18030).")] = "utf-8",
    reveal: Annotated[bool, typer.Option("--reveal", help="Encrypted contact fields in full, not masked "
                                                          "(audited).")] = False,
    lang: Annotated[Lang, typer.Option("--lang", help="Header language of csv/xlsx: en (field names) or zh "
                                                      "(客户名称, 负责人 …); import reads both.")] = Lang.en,
) -> None:
    """Export a table; the file imports back unchanged (with AMKIT_KEY set: contacts need --reveal)."""
    from amkit import store
    from amkit.store import crypto
    from amkit.transfer.service import export_table

    if reveal:
        store.record_reveal(table.value, {"command": "export", "format": fmt.value, "output": output})
    with crypto.revealed(reveal):
        count = export_table(table.value, fmt.value, output, bom, encoding, sys.stdout, private=reveal,
                             lang=lang.value)
    note(f"exported {count} {table.value}" + (f" to {output}" if output else ""))


def register(app: typer.Typer) -> None:
    app.command("import", epilog=IMPORT_EXAMPLES)(import_)
    app.command("export", epilog=example("amkit export customers -f csv --bom -o customers.csv",
                                         "amkit export contacts -f xlsx -o contacts.xlsx",
                                         "amkit export customers --encoding gbk -o 客户.csv",
                                         "amkit export deals --lang zh -c 客户,金额,阶段 -f xlsx -o 商机.xlsx",
                                         "AMKIT_KEY=… amkit export contacts --reveal -o contacts.csv"))(export)
