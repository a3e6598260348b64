"""Bankgirot's BgMax file (Bankgiro Inbetalningar): what came in on the mission's bankgiro.

A file is fixed-width records of 80 characters in ISO-8859-1, each starting with a
two-digit transaction code (TK). Positions below are 1-based as in Bankgirot's manual:

- TK01 start: 3-22 layout name "BGMAX", 23-24 version "01", 25-44 timestamp
  (YYYYMMDDHHMMSS + microseconds), 45 test marker ("T" test, "P" production).
- TK05 opening (starts a deposit section): 3-12 payee bankgiro, 13-22 payee plusgiro,
  23-25 currency.
- TK20 payment / TK21 deduction: 3-12 payer bankgiro, 13-37 reference, 38-55 amount in
  öre, 56 reference code, 57 channel code, 58-69 BGC serial number, 70 image marker;
  TK21 also 71 deduction code.
- TK22/TK23 extra reference (positive/negative): the same positions as TK20.
- TK25 information text 3-52. TK26 name 3-37, extra name 38-72. TK27 address 3-37,
  postcode 38-46. TK28 city 3-37, country 38-72, country code 73-74.
  TK29 organisation number 3-14.
- TK15 deposit (ends the section): 3-37 payee bank account, 38-45 payment date
  (YYYYMMDD), 46-50 deposit serial, 51-68 deposited sum in öre, 69-71 currency,
  72-79 number of payments, 80 type of deposit.
- TK70 end: 3-10 payment records, 11-18 deduction records, 19-26 extra reference
  records, 27-34 deposit records.

`parse` checks the layout name and version, the order of the records, each deposit's sum
(payments less deductions) and number of payments, and the end record's counts; a broken
file is refused whole with BgMaxError, which says in Swedish which record is wrong and how.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _

RECORD_LENGTH = 80
LAYOUT_NAME = "BGMAX"
VERSIONS = ("01",)
MAX_BYTES = 5 * 1024 * 1024


class BgMaxError(ValueError):
    """The file is not a sound BgMax file; the message (Swedish) names the record."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


@dataclass
class ExtraReference:
    line: int
    reference: str
    amount_ore: int  # negative for TK23
    reference_code: str
    channel: str
    serial: str
    has_image: bool


@dataclass
class BgMaxPayment:
    """One TK20 payment (or TK21 deduction, with a negative amount) and its extra records."""

    line: int
    record: str  # "20" or "21"
    payer_bankgiro: str
    reference: str
    amount_ore: int
    reference_code: str
    channel: str
    serial: str
    has_image: bool
    deduction_code: str = ""
    date: date | None = None  # the deposit's payment date, set when the section closes
    extra_references: list[ExtraReference] = field(default_factory=list)
    information: list[str] = field(default_factory=list)
    payer_name: str = ""
    payer_extra_name: str = ""
    address: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""
    country_code: str = ""
    organisation_number: str = ""

    @property
    def message(self) -> str:
        """The payer's information text (TK25 records), joined."""
        return " ".join(" ".join(self.information).split())

    @property
    def references(self) -> list[str]:
        """The reference and every extra reference, non-empty ones only."""
        return [r for r in [self.reference, *(x.reference for x in self.extra_references)] if r]


@dataclass
class Deposit:
    """One section: the payments of one deposit on the mission's account."""

    line: int
    payee_bankgiro: str
    payee_plusgiro: str
    currency: str
    payments: list[BgMaxPayment] = field(default_factory=list)
    account: str = ""
    date: date | None = None
    serial: str = ""
    amount_ore: int = 0
    deposit_currency: str = ""
    payment_count: int = 0
    deposit_type: str = ""


@dataclass
class BgMaxFile:
    layout: str
    version: str
    created_at: datetime
    test: bool
    deposits: list[Deposit] = field(default_factory=list)

    @property
    def payments(self) -> list[BgMaxPayment]:
        """Every payment and deduction of the file, in file order."""
        return [p for d in self.deposits for p in d.payments]


def _text(record: str, first: int, last: int) -> str:
    """Positions first..last (1-based, inclusive), blanks stripped."""
    return record[first - 1:last].strip()


def _number(record: str, first: int, last: int, line: int, what: str) -> int:
    raw = record[first - 1:last]
    if not raw.isascii() or not raw.isdigit():
        raise BgMaxError(_("Rad %(line)s (TK%(tk)s): %(what)s ”%(value)s” är inget tal.",
                           line=line, tk=record[:2], what=what, value=raw.strip()), line)
    return int(raw)


def _date(record: str, first: int, last: int, line: int) -> date:
    raw = record[first - 1:last]
    try:
        return datetime.strptime(raw, "%Y%m%d").date()
    except ValueError:
        raise BgMaxError(_("Rad %(line)s (TK%(tk)s): betalningsdagen ”%(value)s” är inget "
                           "datum (ÅÅÅÅMMDD).", line=line, tk=record[:2], value=raw.strip()),
                         line) from None


def _payment(record: str, line: int) -> BgMaxPayment:
    amount = _number(record, 38, 55, line, _("beloppet"))
    kind = record[:2]
    return BgMaxPayment(
        line=line, record=kind, payer_bankgiro=_text(record, 3, 12).lstrip("0"),
        reference=_text(record, 13, 37), amount_ore=-amount if kind == "21" else amount,
        reference_code=record[55], channel=record[56], serial=_text(record, 58, 69),
        has_image=record[69] == "1", deduction_code=record[70].strip() if kind == "21" else "",
    )


def _extra(record: str, line: int) -> ExtraReference:
    amount = _number(record, 38, 55, line, _("beloppet"))
    return ExtraReference(
        line=line, reference=_text(record, 13, 37),
        amount_ore=-amount if record[:2] == "23" else amount,
        reference_code=record[55], channel=record[56], serial=_text(record, 58, 69),
        has_image=record[69] == "1",
    )


def decode(data: bytes | str) -> list[str]:
    """The file's records; trailing empty lines are dropped, other empty lines refused."""
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise BgMaxError(_("Filen är för stor; högst %(mb)s MB.", mb=MAX_BYTES // (1024 * 1024)))
        # ISO-8859-1 maps every byte, so decoding never fails; a wrong encoding shows as
        # odd letters in names, never as a wrong amount.
        text = data.decode("iso-8859-1")
    else:
        text = data
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise BgMaxError(_("Filen är tom."))
    return lines


def parse(data: bytes | str) -> BgMaxFile:
    """A BgMax file as a BgMaxFile; BgMaxError (Swedish, naming the record) when broken."""
    lines = decode(data)
    if not lines[0].startswith("01"):
        raise BgMaxError(_("Rad 1: filen börjar inte med en startpost (TK01); det är ingen "
                           "BgMax-fil."), 1)
    for number, record in enumerate(lines, start=1):
        if not record.strip():
            raise BgMaxError(_("Rad %(line)s är tom; en BgMax-fil har inga tomma rader.",
                               line=number), number)
        if len(record) != RECORD_LENGTH:
            raise BgMaxError(_("Rad %(line)s har %(length)s tecken; varje post i en BgMax-fil "
                               "ska ha 80.", line=number, length=len(record)), number)
    file = _start(lines[0])
    counts = {"20": 0, "21": 0, "22": 0, "23": 0, "15": 0}
    deposit: Deposit | None = None
    payment: BgMaxPayment | None = None
    ended = False
    for number, record in enumerate(lines[1:], start=2):
        code = record[:2]
        if ended:
            raise BgMaxError(_("Rad %(line)s (TK%(tk)s): kommer efter slutposten (TK70).",
                               line=number, tk=code), number)
        if code == "05":
            if deposit is not None:
                raise BgMaxError(_("Rad %(line)s (TK05): ny öppningspost innan insättningsposten "
                                   "(TK15) för avsnittet på rad %(start)s.",
                                   line=number, start=deposit.line), number)
            deposit = Deposit(line=number, payee_bankgiro=_text(record, 3, 12).lstrip("0"),
                              payee_plusgiro=_text(record, 13, 22).lstrip("0"),
                              currency=_text(record, 23, 25))
            payment = None
        elif code in ("20", "21", "22", "23", "25", "26", "27", "28", "29", "15"):
            if deposit is None:
                raise BgMaxError(_("Rad %(line)s (TK%(tk)s): står utanför ett avsnitt; en "
                                   "öppningspost (TK05) saknas före den.", line=number, tk=code),
                                 number)
            if code in ("20", "21"):
                payment = _payment(record, number)
                deposit.payments.append(payment)
                counts[code] += 1
            elif code == "15":
                _close(deposit, record, number)
                file.deposits.append(deposit)
                counts["15"] += 1
                deposit, payment = None, None
            else:
                if payment is None:
                    raise BgMaxError(_("Rad %(line)s (TK%(tk)s): hör till en betalning, men "
                                       "ingen betalningspost (TK20/TK21) kommer före den.",
                                       line=number, tk=code), number)
                _add_detail(payment, code, record, number)
                if code in ("22", "23"):
                    counts[code] += 1
        elif code == "70":
            if deposit is not None:
                raise BgMaxError(_("Rad %(line)s (TK70): slutposten kommer innan "
                                   "insättningsposten (TK15) för avsnittet på rad %(start)s.",
                                   line=number, start=deposit.line), number)
            _check_end(record, number, counts)
            ended = True
        else:
            raise BgMaxError(_("Rad %(line)s: okänd posttyp ”%(tk)s”.", line=number, tk=code),
                             number)
    if not ended:
        raise BgMaxError(_("Slutposten (TK70) saknas; filen är kanske inte hel."), len(lines))
    return file


def _start(record: str) -> BgMaxFile:
    if record[:2] != "01":
        raise BgMaxError(_("Rad 1: filen börjar inte med en startpost (TK01); det är ingen "
                           "BgMax-fil."), 1)
    layout = _text(record, 3, 22)
    if layout != LAYOUT_NAME:
        raise BgMaxError(_("Rad 1 (TK01): layoutnamnet är ”%(name)s”, inte BGMAX.",
                           name=layout), 1)
    version = record[22:24]
    if version not in VERSIONS:
        raise BgMaxError(_("Rad 1 (TK01): version ”%(version)s” av BgMax känns inte igen "
                           "(bara 01).", version=version), 1)
    try:
        created_at = datetime.strptime(record[24:44], "%Y%m%d%H%M%S%f")
    except ValueError:
        raise BgMaxError(_("Rad 1 (TK01): tidsstämpeln ”%(value)s” går inte att läsa.",
                           value=record[24:44].strip()), 1) from None
    marker = record[44]
    if marker not in ("T", "P"):
        raise BgMaxError(_("Rad 1 (TK01): testmarkeringen ska vara T eller P, inte ”%(value)s”.",
                           value=marker), 1)
    return BgMaxFile(layout=layout, version=version, created_at=created_at, test=marker == "T")


def _add_detail(payment: BgMaxPayment, code: str, record: str, line: int) -> None:
    if code in ("22", "23"):
        payment.extra_references.append(_extra(record, line))
    elif code == "25":
        payment.information.append(_text(record, 3, 52))
    elif code == "26":
        payment.payer_name = _text(record, 3, 37)
        payment.payer_extra_name = _text(record, 38, 72)
    elif code == "27":
        payment.address = _text(record, 3, 37)
        payment.postcode = _text(record, 38, 46)
    elif code == "28":
        payment.city = _text(record, 3, 37)
        payment.country = _text(record, 38, 72)
        payment.country_code = _text(record, 73, 74)
    elif code == "29":
        payment.organisation_number = _text(record, 3, 14).lstrip("0")


def _close(deposit: Deposit, record: str, line: int) -> None:
    """Read the deposit record and check it against the section's payments."""
    deposit.account = _text(record, 3, 37).lstrip("0")
    deposit.date = _date(record, 38, 45, line)
    deposit.serial = _text(record, 46, 50)
    deposit.amount_ore = _number(record, 51, 68, line, _("insatt belopp"))
    deposit.deposit_currency = _text(record, 69, 71)
    deposit.payment_count = _number(record, 72, 79, line, _("antal betalningar"))
    deposit.deposit_type = _text(record, 80, 80)
    for payment in deposit.payments:
        payment.date = deposit.date
    if deposit.payment_count != len(deposit.payments):
        raise BgMaxError(_("Rad %(line)s (TK15): insättningen säger %(said)s betalningar, men "
                           "avsnittet har %(found)s.", line=line, said=deposit.payment_count,
                           found=len(deposit.payments)), line)
    total = sum(p.amount_ore for p in deposit.payments)
    if deposit.amount_ore != total:
        raise BgMaxError(_("Rad %(line)s (TK15): insatt belopp är %(said)s öre, men "
                           "betalningarna i avsnittet blir %(found)s öre.",
                           line=line, said=deposit.amount_ore, found=total), line)


def _check_end(record: str, line: int, counts: dict[str, int]) -> None:
    said = {
        "20": _number(record, 3, 10, line, _("antal betalningsposter")),
        "21": _number(record, 11, 18, line, _("antal avdragsposter")),
        "22+23": _number(record, 19, 26, line, _("antal extra referensnummerposter")),
        "15": _number(record, 27, 34, line, _("antal insättningsposter")),
    }
    found = {"20": counts["20"], "21": counts["21"], "22+23": counts["22"] + counts["23"],
             "15": counts["15"]}
    names = {
        "20": _("betalningsposter (TK20)"), "21": _("avdragsposter (TK21)"),
        "22+23": _("extra referensnummerposter (TK22/TK23)"),
        "15": _("insättningsposter (TK15)"),
    }
    for key, value in said.items():
        if value != found[key]:
            raise BgMaxError(_("Rad %(line)s (TK70): slutposten säger %(said)s %(what)s, men "
                               "filen har %(found)s.", line=line, said=value, what=names[key],
                               found=found[key]), line)
