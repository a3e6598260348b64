"""Build BgMax files record by record (positions as in Bankgirot's manual): for the tests
and for the demo's imported file."""

from dataclasses import dataclass, field


def _put(fields: list[tuple[int, str]]) -> str:
    """An 80-character record from (1-based start position, text) pairs."""
    record = [" "] * 80
    for start, text in fields:
        for offset, ch in enumerate(text):
            record[start - 1 + offset] = ch
    return "".join(record)


def start(layout="BGMAX", version="01", stamp="20261130120000123456", marker="P") -> str:
    return _put([(1, "01"), (3, layout.ljust(20)), (23, version), (25, stamp), (45, marker)])


def opening(payee_bankgiro="9912346", currency="SEK") -> str:
    return _put([(1, "05"), (3, payee_bankgiro.zfill(10)), (23, currency)])


def payment(amount_ore: int, reference="", payer_bankgiro="0", serial="123456789012",
            reference_code="2", channel="1", image="0", code="20", deduction_code="") -> str:
    fields = [(1, code), (3, payer_bankgiro.zfill(10)), (13, reference.ljust(25)),
              (38, str(amount_ore).zfill(18)), (56, reference_code), (57, channel),
              (58, serial.ljust(12)), (70, image)]
    if deduction_code:
        fields.append((71, deduction_code))
    return _put(fields)


def extra_reference(reference: str, amount_ore=0, code="22") -> str:
    return payment(amount_ore, reference, code=code, serial="")


def information(text: str) -> str:
    return _put([(1, "25"), (3, text[:50])])


def name(text: str, extra="") -> str:
    return _put([(1, "26"), (3, text[:35]), (38, extra[:35])])


def address(street: str, postcode: str) -> str:
    return _put([(1, "27"), (3, street[:35]), (38, postcode[:9])])


def address2(city: str, country="", country_code="") -> str:
    return _put([(1, "28"), (3, city[:35]), (38, country[:35]), (73, country_code[:2])])


def organisation(number: str) -> str:
    return _put([(1, "29"), (3, number.zfill(12))])


def deposit(amount_ore: int, count: int, paid_on="20261130", serial="00036",
            account="58410000010098232", currency="SEK", kind="K") -> str:
    return _put([(1, "15"), (3, account.zfill(35)), (38, paid_on), (46, serial),
                 (51, str(amount_ore).zfill(18)), (69, currency), (72, str(count).zfill(8)),
                 (80, kind)])


def end(payments: int, deductions=0, extras=0, deposits=1) -> str:
    return _put([(1, "70"), (3, str(payments).zfill(8)), (11, str(deductions).zfill(8)),
                 (19, str(extras).zfill(8)), (27, str(deposits).zfill(8))])


@dataclass
class Section:
    """One deposit: payments as (amount_ore, reference, extra records after it)."""

    payments: list[tuple[int, str, list[str]]] = field(default_factory=list)
    paid_on: str = "20261130"


def file(*sections: Section, marker="P", stamp="20261130120000123456", first_serial=0,
         payee_bankgiro="9912346") -> str:
    """A sound file: the deposit and end records agree with the payments. Bankgirot's
    serial numbers are unique; `first_serial` keeps two built files apart."""
    records = [start(stamp=stamp, marker=marker)]
    count = deductions = 0
    for number, section in enumerate(sections):
        records.append(opening(payee_bankgiro))
        for index, (amount, reference, extra) in enumerate(section.payments):
            serial = f"{number:04d}{first_serial + index:08d}"
            if amount < 0:  # a deduction (TK21) carries its amount unsigned
                records.append(payment(-amount, reference, serial=serial, code="21",
                                       deduction_code="0"))
                deductions += 1
            else:
                records.append(payment(amount, reference, serial=serial))
                count += 1
            records.extend(extra)
        records.append(deposit(sum(p[0] for p in section.payments), len(section.payments),
                               paid_on=section.paid_on, serial=f"{number + 1:05d}"))
    records.append(end(count, deductions=deductions, deposits=len(sections)))
    return "\n".join(records) + "\n"


def encode(text: str) -> bytes:
    return text.encode("iso-8859-1")
