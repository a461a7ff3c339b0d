"""Tiny exports in the synthetic systems' formats, written inline by tests."""

from __future__ import annotations

import codecs
from pathlib import Path

ATHENA_CRIME_HEADER = (
    "CrimeRef,HOOffenceCode,OffenceDesc,CommittedFrom,CommittedTo,"
    "ReportedDate,VAWGFlag,LPC,OIC,Status,HandlingCode,GSC"
)
ATHENA_PERSON_HEADER = (
    "CrimeRef,NominalRef,Involvement,Forename,Surname,DOB,Sex,Nationality,"
    "PNCID,Address,Postcode,Phone,Email,AgeAtOffence"
)


def write_csv(
    path: Path, lines: list[str], encoding: str = "utf-8", bom: bool = False, newline: str = "\n"
) -> Path:
    """Write ``lines`` (already delimited) as a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = newline.join(lines) + newline
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + data.encode(encoding))
    return path


def crime_line(
    ref: str, offence: str = "8N", committed: str = "05/03/2022", status: str = "Charged"
) -> str:
    """One Athena crime row."""
    return (
        f"{ref},{offence},Assault,{committed},,06/03/2022,N,Cambridge City,C123,{status},P,OFFICIAL"
    )


def person_line(
    ref: str,
    nominal: str,
    role: str = "Suspect",
    forename: str = "John",
    surname: str = "Smith",
    dob: str = "05/03/1990",
    phone: str = "07700 900123",
    postcode: str = "cb12ab",
) -> str:
    """One Athena crime_nominal row."""
    return (
        f"{ref},{nominal},{role},{forename},{surname},{dob},Male,British,01/12345X,"
        f'"1 High St, Cambridge",{postcode},{phone},J.Smith@Example.com,31'
    )


def write_xlsx(
    path: Path, header: list[str], rows: list[list[object]], sheet: str = "Sheet"
) -> Path:
    """A one-sheet workbook (dates given as ``datetime.date`` become date cells)."""
    import openpyxl

    path.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    """One JSON object per line."""
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def write_mini_export(root: Path, crimes: int = 2) -> dict[str, int]:
    """A generator-style directory with one small file per reader and a manifest.

    Returns the number of records written per file (relative path -> rows).
    """
    import datetime as dt
    import json

    files: dict[str, tuple[str, str, str, int]] = {}

    def add(rel: str, force: str, system: str, kind: str, rows: int) -> None:
        files[rel] = (force, system, kind, rows)

    write_csv(
        root / "forces/cambs/crime.csv",
        [ATHENA_CRIME_HEADER, *(crime_line(f"CC/{i}") for i in range(1, crimes + 1))],
        bom=True,
        newline="\r\n",
    )
    add("forces/cambs/crime.csv", "cambs", "athena", "crime", crimes)
    write_csv(
        root / "forces/cambs/crime_nominal.csv",
        [
            ATHENA_PERSON_HEADER,
            person_line("CC/1", "N1"),
            person_line("CC/1", "N2", role="Victim", forename="Ann", surname="Jones"),
        ],
        bom=True,
        newline="\r\n",
    )
    add("forces/cambs/crime_nominal.csv", "cambs", "athena", "crime_person", 2)
    write_csv(
        root / "forces/northants/crime_persons.csv",
        [
            "Crime Number;Person URN;Person Role;First Name;Family Name;Date of Birth;Gender;"
            "Nationality;PNC Number;Address Line;Post Code;Contact Number;Email Address;Age",
            "NN/1;P1;Suspect;Zoë;O’Brien;05-Mar-1990;Not Known;Polish;;;NN1 1AA;;;33",
        ],
        encoding="cp1252",
    )
    add("forces/northants/crime_persons.csv", "northants", "connect", "crime_person", 1)
    write_jsonl(
        root / "forces/wmp/crimes.jsonl",
        [
            {
                "crimeId": "W1",
                "homeOfficeCode": "8L",
                "offenceTitle": "Harassment",
                "committedFrom": "2022-01-02T00:00:00",
                "committedTo": None,
                "reportedOn": "2022-01-03T00:00:00",
                "isVawg": True,
                "npu": "Birmingham East",
                "oicNumber": "W9",
                "status": "Filed",
                "handling": "P",
                "marking": "OFFICIAL",
            }
        ],
    )
    add("forces/wmp/crimes.jsonl", "wmp", "wmp", "crime", 1)
    write_xlsx(
        root / "forces/wmp/missing_persons.xlsx",
        [
            "Report No",
            "Forename",
            "Surname",
            "DOB",
            "Gender",
            "Risk",
            "Missing Date",
            "Found Date",
            "Home Address",
            "Home Postcode",
            "Found Postcode",
            "Phone",
            "NPU",
            "OIC",
            "Handling",
            "Marking",
        ],
        [
            [
                "M1",
                "Amy",
                "Bell",
                37320,
                "female",
                "High",
                44927,
                44928,
                "2 Low Rd",
                "b1 1aa",
                "B2 2BB",
                "07700900456",
                "Birmingham East",
                "W9",
                "P",
                "OFFICIAL-SENSITIVE",
            ]
        ],
        sheet="missing",
    )
    add("forces/wmp/missing_persons.xlsx", "wmp", "wmp", "missing", 1)
    write_xlsx(
        root / "forces/cambs/visor_register.xlsx",
        [
            "ViSOR ID",
            "Forename",
            "Surname",
            "Date of Birth",
            "Gender",
            "PNC ID",
            "MAPPA Category",
            "MAPPA Level",
            "RoSH",
            "Registered",
            "Address",
            "Postcode",
            "Index Offence Code",
            "Handling",
            "Marking",
        ],
        [
            [
                "V1",
                "John",
                "Smith",
                dt.date(1990, 3, 5),
                "M",
                "2001/0012345X",
                "1",
                "1",
                "high",
                dt.date(2021, 6, 1),
                "1 High St",
                "CB1 2AB",
                "19C",
                "C",
                "OFFICIAL-SENSITIVE",
            ]
        ],
        sheet="visor",
    )
    add("forces/cambs/visor_register.xlsx", "cambs", "visor", "visor", 1)
    write_jsonl(
        root / "partner/asw/accounts.jsonl",
        [
            {
                "account_id": "A1",
                "created": "2023-01-01",
                "display_name": "Roxy",
                "registered_email": "roxy at example dot com",
                "phone": "07700 900789",
                "stated_nationality": "Romanian",
                "home_region": "East",
            }
        ],
    )
    add("partner/asw/accounts.jsonl", "asw", "asw", "account", 1)
    write_csv(
        root / "partner/asw/payments.csv",
        [
            "payment_id,account_id,paid_on,amount_gbp,payer_name,payer_token,payer_email,"
            "payer_phone,payer_title",
            "PAY1,A1,2023-02-01,£45.00,Mr John Paul Smith,tok9,js@example.com,07700900123,Mr",
        ],
    )
    add("partner/asw/payments.csv", "asw", "asw", "payment", 1)
    write_csv(
        root / "regional/toex/operations.csv",
        [
            "op_ref,op_name,threat_type,lead_force,opened,closed,geographic_scale,handling,marking",
            "OP1,Op Linden,Adult Sexual Exploitation,cambs,2023-03-01,,Force,P,OFFICIAL",
        ],
    )
    add("regional/toex/operations.csv", "toex", "toex", "operation", 1)
    manifest = {
        "files": [
            {"path": rel, "force": f, "system": s, "kind": k, "rows": n}
            for rel, (f, s, k, n) in files.items()
        ]
    }
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return {rel: v[3] for rel, v in files.items()}
