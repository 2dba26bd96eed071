"""Small PPRRVU/GPCI/LOCCO/ANES/OPPSCAP files in CMS's own format, written here row by row."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

PREAMBLE = [
    ",,2099 National Physician Fee Schedule Relative Value File Test Release,,",
    ",,CPT codes and descriptions only are copyright 2099 American Medical Association.  All Rights Reserved.,,",
    ",,Dental codes (D codes) are copyright 2099 American Dental Association.  All Rights Reserved.,,",
    ",, ,,",
    ",,RELEASED 06/30/2099,,",
]
# CMS's stacked labels, one list per header line; 2026 adds PRIC IND before ENDO BASE.
HEADER_2025 = [
    ",, , ,,,,,,,,,,,,,,,,,,,,,,,,,NON-FACILITY,FACILITY,",
    ",,,,NOT USED,,,,,,,,,,,,,,,,,,,,,PHYSICIAN,,DIAGNOSTIC,PE USED,PE USED,MP USED",
    ",,,,FOR,,,NON-FAC,,FACILITY ,,,,,,,,,,,,,,,,SUPERVISION OF,,IMAGING,FOR OPPS,FOR OPPS,FOR OPPS",
    ",,,STATUS,MEDICARE ,WORK,NON-FAC,NA,FACILITY,NA,MP,NON-FACILITY,FACILITY,PCTC,GLOB,PRE,INTRA,POST,MULT,"
    "BILAT,ASST,CO-,TEAM,ENDO,CONV,DIAGNOSTIC,CALCULATION,FAMILY,PAYMENT,PAYMENT,PAYMENT",
    "HCPCS,MOD,DESCRIPTION,CODE,PAYMENT,RVU,PE RVU,INDICATOR,PE RVU,INDICATOR,RVU,TOTAL,TOTAL,IND,DAYS,OP,OP,OP,"
    "PROC,SURG,SURG,SURG,SURG,BASE,FACTOR,PROCEDURES,FLAG,INDICATOR,AMOUNT,AMOUNT,AMOUNT",
]
HEADER_2026 = [
    ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,NON-FACILITY,FACILITY,",
    ",,,,NOT USED,,,,,,,,,,,,,,,,,,,,,,PHYSICIAN,,DIAGNOSTIC,PE USED,PE USED,MP USED",
    ",,,,FOR,,,NON-FAC,,FACILITY,,,,,,,,,,,,,,,,,SUPERVISION OF,,IMAGING,FOR OPPS,FOR OPPS,FOR OPPS",
    ",,,STATUS,MEDICARE,WORK,NON-FAC,NA,FACILITY,NA,MP,NON-FACILITY,FACILITY,PCTC,GLOB,PRE,INTRA,POST,MULT,"
    "BILAT,ASST,CO-,TEAM,PRIC,ENDO,CONV,DIAGNOSTIC,CALCULATION,FAMILY,PAYMENT,PAYMENT,PAYMENT",
    "HCPCS,MOD,DESCRIPTION,CODE,PAYMENT,RVU,PE RVU,INDICATOR,PE RVU,INDICATOR,RVU,TOTAL,TOTAL,IND,DAYS,OP,OP,OP,"
    "PROC,SURG,SURG,SURG,SURG,IND,BASE,FACTOR,PROCEDURES,FLAG,INDICATOR,AMOUNT,AMOUNT,AMOUNT",
]


@dataclass(frozen=True)
class Service:
    """One PPRRVU service as a test states it; each form's writer prints it its own way."""

    hcpcs: str
    mod: str = ""
    desc: str = "Test code"
    status: str = "A"
    work: str = "1.00"
    nf_pe: str = "1.00"
    nf_na: str = ""
    f_pe: str = "0.50"
    f_na: str = ""
    mp: str = "0.10"
    cf: str = "32.3465"
    not_used: str = ""
    # the payment indicators, CMS's columns PCTC IND to ENDO BASE
    pctc: str = "0"
    glob: str = "000"
    pre: str = "0.10"
    intra: str = "0.80"
    post: str = "0.10"
    mult: str = "2"
    bilat: str = "0"
    asst: str = "0"
    co: str = "0"
    team: str = "0"
    endo: str = ""

    def totals(self) -> tuple[str, str]:
        """The non-facility and facility totals, the sums of the components as CMS prints them."""
        return _total(self.work, self.nf_pe, self.mp), _total(self.work, self.f_pe, self.mp)


def pprrvu_row(hcpcs: str, opps=("0.00", "0.00", "0.00"), pric=None, **service) -> str:
    """One .csv data line."""
    s = Service(hcpcs, **service)
    nf_total, f_total = s.totals()
    cells = [
        s.hcpcs,
        s.mod,
        s.desc,
        s.status,
        s.not_used,
        s.work,
        s.nf_pe,
        s.nf_na,
        s.f_pe,
        s.f_na,
        s.mp,
        nf_total,
        f_total,
        s.pctc,
        s.glob,
        s.pre,
        s.intra,
        s.post,
        s.mult,
        s.bilat,
        s.asst,
        s.co,
        s.team,
    ]
    if pric is not None:
        cells.append(pric)
    cells += [s.endo, s.cf, "09", "0", "99", *opps]
    return ",".join(cells)


def _total(*parts: str) -> str:
    try:
        return f"{sum(float(p) for p in parts):.2f}"
    except ValueError:  # a row with a broken number on purpose
        return "0.00"


def pprrvu(rows: list[str], header: list[str] = HEADER_2025, tail: str = "") -> bytes:
    return ("\r\n".join(PREAMBLE + header + rows) + "\r\n" + tail).encode("latin-1")


def gpci(rows: list[str], work_labels: str = "2099 PW GPCI (with 1.0 Floor)") -> bytes:
    lines = [
        "ADDENDUM E. FINAL CY 2099 GEOGRAPHIC PRACTICE COST INDICES (GPCIs) BY STATE AND MEDICARE LOCALITY,,,,,,",
        ",,,,,,",
        f"Medicare Administrative Contractor (MAC),State,Locality Number,Locality Name,{work_labels},"
        "2099 PE GPCI,2099 MP GPCI",
        *rows,
        '"MAC Assignments as of November 22, 2098",,,,,,',
        ",,,,,,",
        "*Work GPCI reflects a 1.5 floor in Alaska established by the MIPPA.,,,,,,",
    ]
    return "\r\n".join(lines).encode("latin-1") + b"\r\n"


def locco(rows: list[str]) -> bytes:
    lines = [
        "COUNTIES INCLUDED IN 2099 LOCALITIES. (ALPHABETICALLY BY STATE AND LOCALITY NAME WITHIN STATE),,,,",
        ",,,,",
        "Medicare Adminstrative Contractor,Locality Number,State ,Fee Schedule Area ,Counties",
        ",,,,",
        *rows,
        ",,,,",
        "*  Payment locality is serviced by two carriers.,,,,",
    ]
    return "\r\n".join(lines).encode("latin-1") + b"\r\n"


def anes(rows: list[str], national: str = "20.3178") -> bytes:
    lines = [f"Contractor,Locality,Locality Name,National Anes CF of {national}", *rows, ",,,"]
    return "\r\n".join(lines).encode("latin-1") + b"\r\n"


def oppscap(rows: list[str]) -> bytes:
    lines = ["HCPCS,MOD,PROCSTAT,CARRIER,LOCALITY,FACILITY PRICE,NON-FACILTY PRICE", *rows, ",,,,,,"]
    return "\r\n".join(lines).encode("latin-1") + b"\r\n"


GPCI_ALABAMA = ["10112,AL,0,ALABAMA,1,0.869,0.575"]


def release_folder(folder: Path, work: str = "0.43") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "PPRRVU2025_Test.csv").write_bytes(pprrvu([pprrvu_row("97140", work=work)]))
    (folder / "GPCI2025.csv").write_bytes(gpci(GPCI_ALABAMA))
    return folder


def zipped(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.writestr(path.name, path.read_bytes())
    return buffer.getvalue()


# The fixed-width .txt forms. PPRRVU's positions are CMS's record layout (RVU25D.pdf); the others copy the
# columns of RVU25D's own .txt files. Values are passed as CMS prints them in the .txt.
TXT_HDR = [
    "HDR CPT CODES AND DESCRIPTIONS ONLY ARE COPYRIGHT ",
    "HDR 2099 AMERICAN MEDICAL ASSOCIATION.  ALL RIGHTS",
    "HDR RESERVED.  APPLICABLE FARS/DFARS APPLY.       ",
]


def pprrvu_txt_row(hcpcs: str, **service) -> str:
    """One 171-character .txt record of the same service as `pprrvu_row` with the same arguments."""
    s = Service(hcpcs, **service)
    nf_total, f_total = s.totals()
    return (
        f"{s.hcpcs:<5}{s.mod:<2}{s.desc:<50.50}{s.status:1}{s.not_used:1}{s.work:>6} {s.nf_pe:>6}{s.nf_na:<2} "
        f"{s.f_pe:>6}{s.f_na:<2} {s.mp:>5} {nf_total:>6}{f_total:>6}0000.10.80.1020000{'':7}{'':5}{s.cf:>8} 090 99    "
        f"{'0.00':>6} {'0.00':>6} {'0.00':>6}"
    )


def pprrvu_txt(rows: list[str], tail: str = "") -> bytes:
    return ("\r\n".join(TXT_HDR + rows) + "\r\n" + tail).encode("latin-1")


def gpci_txt(rows: list[tuple[str, str, str, str, str, str, str]]) -> bytes:
    """Rows of (mac, state, locality, name, work, pe, mp)."""
    lines = [
        "ADDENDUM E. FINAL CY 2099 GEOGRAPHIC PRACTICE COST INDICES (GPCIs) BY STATE AND MEDICARE LOCALITY",
        "",
        f"{'Medicare Admi State  Locality':<67}{'Locality Name':<51}2099 PW GPCI2099 PE GPCI2099 MP GPCI",
        *(f"{m:<16}{s:<8}{loc:<5}{n:<87}{w:>10}{pe:>12}{mp:>12}" for m, s, loc, n, w, pe, mp in rows),
        "MAC Assignments as of November 22, 2098",
        "",
        "*Work GPCI reflects a 1.5 floor in Alaska established by the MIPPA.",
    ]
    return "\r\n".join(lines).encode("latin-1") + b"\r\n"


def locco_txt(groups: list[list[tuple[str, str, str, str, str]]]) -> bytes:
    """Groups of (mac, locality, state, fee schedule area, counties) lines, a blank line between groups."""
    lines = [
        "COUNTIES INCLUDED IN 2099 LOCALITIES. (ALPHABETICALLY BY STATE AND LOCALITY NAME WITHIN STATE)",
        "",
        f"{'Medicare AdmiLocality':<30}{'State':<55}{'Fee Schedule Area':<83}Counties",
    ]
    for group in groups:
        lines.append("")
        lines += [f"    {m:<12}{loc:<6}{s:<23}{area:<98}{c}".rstrip() for m, loc, s, area, c in group]
    lines += ["", "", "*  Payment locality is serviced by two carriers."]
    return "\r\n".join(lines).encode("latin-1") + b"\r\n"


def anes_txt(rows: list[tuple[str, str, str, str]]) -> bytes:
    """Rows of (mac, locality, name, cf with two implied decimals)."""
    return "".join(f"{m:<12}{loc:<6}{n:<40.40}{cf:>19}\r\n" for m, loc, n, cf in rows).encode("latin-1")


def oppscap_txt(rows: list[tuple[str, str, str, str, str, str, str]]) -> bytes:
    """Rows of (hcpcs, modifier, status, mac, locality, facility price, non-facility price)."""
    return "".join(
        f"{h:<5}{mod:<2} {st} {m:<5}  {loc:<2}{f:>9}{nf:>10}\r\n" for h, mod, st, m, loc, f, nf in rows
    ).encode("latin-1")


def zip9(rows: list[tuple[str, str, str, str, str]], year_quarter: str = "20254") -> bytes:
    """CMS's ZIP9 file: (state, zip5, mac, locality, plus four) per record, at the ZIP9 layout's positions (1-based:
    state 1-2, ZIP 3-7, carrier 8-12, locality 13-14, rural 15, plus-four flag 21, plus four 22-25, Part B payment
    indicator 32, year and quarter 76-80); the spans pfs does not read carry text, as CMS's other fields would."""
    records = [f"{state}{zip_code}{mac}{locality} Z9 9 1{plus4}XXXXXX0".ljust(75, "x") + year_quarter
               for state, zip_code, mac, locality, plus4 in rows]  # fmt: skip
    return "\r\n".join(records).encode("latin-1") + b"\r\n"


def zip5(rows: list[tuple[str, str, str, str, str]], year_quarter: str = "20254") -> bytes:
    """CMS's ZIP5 file: (state, zip5, mac, locality, plus-four flag) per record, laid out as ZIP5lyout.txt says."""
    records = [f"{state}{zip_code}{mac}{locality} Z9   {plus4} A".ljust(75) + year_quarter
               for state, zip_code, mac, locality, plus4 in rows]  # fmt: skip
    return "\r\n".join(records).encode("latin-1") + b"\r\n"
