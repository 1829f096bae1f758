"""`make demo`: one interlibrary loan's lifecycle between two local peers, every message printed readably.

Builds the ISO 10161 APDUs of a loan (request, answer, shipped, received, returned, checked-in), encodes and
decodes each one and prints it as a tree.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import isoill
from isoill import enums as E
from isoill import types as T
from isoill.render import apdu_name, render

REQUESTER = "DEMO:REQ"
RESPONDER = "DEMO:RESP"


def _sid(symbol: str, name: str) -> T.SystemId:
    return T.SystemId(person_or_institution_symbol=T.InstitutionSymbol(symbol),
                      name_of_person_or_institution=T.NameOfInstitution(name))


def loan_apdus(qualifier: str = "DEMO-0001") -> list[tuple[str, isoill.APDU]]:
    """(sender role, APDU) for one loan, in order: requester and responder alternate as in real life."""
    tid = T.TransactionId(initial_requester_id=_sid(REQUESTER, "Requesting Library"),
                          transaction_group_qualifier=REQUESTER, transaction_qualifier=qualifier)
    req_id = _sid(REQUESTER, "Requesting Library")
    resp_id = _sid(RESPONDER, "Supplying Library")

    def common(date: str, time: str) -> dict[str, object]:
        return {
            "transaction_id": tid,
            "service_date_time": T.ServiceDateTime(date_time_of_this_service=T.DateTime(date=date, time=time)),
            "requester_id": req_id,
            "responder_id": resp_id,
        }

    request = isoill.ILLRequest(
        **common("20240301", "093000"),  # type: ignore[arg-type]
        ill_service_type=(E.ILLServiceType.LOAN,),
        requester_optional_messages=T.RequesterOptionalMessagesType(
            can_send_received=True, can_send_returned=True,
            requester_shipped=E.MessageRequirement.REQUIRES,
            requester_checked_in=E.MessageRequirement.REQUIRES),
        search_type=T.SearchType(need_before_date="20240401"),
        item_id=T.ItemId(item_type=E.ItemType.MONOGRAPH, author="Knuth, Donald E.",
                         title="The Art of Computer Programming, Volume 1"),
        requester_note="Demo request: loan preferred.",
    )
    answer = isoill.ILLAnswer(
        **common("20240302", "101500"),  # type: ignore[arg-type]
        transaction_results=E.TransactionResults.WILL_SUPPLY,
        results_explanation=T.WillSupplyResults(reason_will_supply=E.ReasonWillSupply.BEING_PROCESSED_FOR_SUPPLY,
                                                supply_date="20240304"),
        responder_note="We will send it on Monday.",
    )
    shipped = isoill.Shipped(
        **common("20240304", "140000"),  # type: ignore[arg-type]
        shipped_service_type=E.ILLServiceType.LOAN,
        supply_details=T.SupplyDetails(date_shipped="20240304",
                                       date_due=T.DateDue(date_due_field="20240404", renewable=True)),
    )
    received = isoill.Received(**common("20240306", "111000"),  # type: ignore[arg-type]
                               date_received="20240306", shipped_service_type=E.ILLServiceType.LOAN)
    returned = isoill.Returned(**common("20240401", "160000"),  # type: ignore[arg-type]
                               date_returned="20240401", returned_via="Post")
    checked_in = isoill.CheckedIn(**common("20240403", "090000"),  # type: ignore[arg-type]
                                  date_checked_in="20240403")
    return [("requester", request), ("responder", answer), ("responder", shipped),
            ("requester", received), ("requester", returned), ("responder", checked_in)]


def offline(out: Callable[[str], None] = print) -> None:
    """Encode, decode and print each APDU of the loan (no network)."""
    for who, apdu in loan_apdus():
        data = isoill.encode(apdu)
        back = isoill.decode(data)
        if back != apdu:
            raise SystemExit(f"demo: {apdu_name(apdu)} did not survive encode/decode")
        out(f"--- {who} sends {apdu_name(apdu)} ({len(data)} octets: {data[:8].hex(' ')} ...)")
        out(render(back))


def main(argv: list[str] | None = None) -> int:
    offline()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
