"""The benchmark's ISO 10161 messages, built from the model (written for the benchmark, not copied anywhere).

`ill_request()` follows the shape in the project's performance research: protocol version, a Transaction-Id
with the initial requester's System-Id, Service-Date-Time, requester and responder ids, a SEQUENCE OF
ILL-Service-Type, Search-Type, Client-Id, an Item-Id with 13 of its optional fields (one EDIFACTString), nine
ENUMERATED values, five BOOLEANs, a requester note under [46] and an extension whose item is an EXTERNAL
carrying an OID and octet-aligned data. Encoded by isoill it is 622 octets.
"""

from __future__ import annotations

from pathlib import Path

import isoill
from isoill._model import enums as E
from isoill._model import types as T
from isoill._model.values import EDIFACTString, External, OctetAligned

HERE = Path(__file__).resolve().parent
VECTORS = HERE.parent / "tests" / "vectors" / "iso10161"


def _sid(symbol: str, name: str | None = None) -> T.SystemId:
    return T.SystemId(person_or_institution_symbol=T.InstitutionSymbol(symbol),
                      name_of_person_or_institution=T.NameOfInstitution(name) if name else None)


def ill_request() -> isoill.ILLRequest:
    return isoill.ILLRequest(
        protocol_version_num=E.VERSION_2,
        transaction_id=T.TransactionId(
            initial_requester_id=_sid("US-MAIN", "Main St Library"),
            transaction_group_qualifier="GRP-2024-000173",
            transaction_qualifier="TQ-88412",
        ),
        service_date_time=T.ServiceDateTime(
            date_time_of_this_service=T.DateTime(date="20240611", time="142233"),
        ),
        requester_id=_sid("US-MAIN"),
        responder_id=_sid("US-STATEU"),
        transaction_type=E.TransactionType.SIMPLE,
        ill_service_type=(E.ILLServiceType.LOAN, E.ILLServiceType.COPY_NON_RETURNABLE),
        requester_optional_messages=T.RequesterOptionalMessagesType(
            can_send_received=True, can_send_returned=True,
            requester_shipped=E.MessageRequirement.REQUIRES,
            requester_checked_in=E.MessageRequirement.DESIRES,
        ),
        search_type=T.SearchType(level_of_service="N", need_before_date="20240701",
                                 expiry_flag=E.ExpiryFlag.NEED_BEFORE_DATE),
        place_on_hold=E.PlaceOnHoldType.ACCORDING_TO_RESPONDER_POLICY,
        client_id=T.ClientId(client_name="Okafor, Adaeze", client_status="Graduate student",
                             client_identifier="P-0042817"),
        item_id=T.ItemId(
            item_type=E.ItemType.MONOGRAPH,
            held_medium_type=E.MediumType.PRINTED,
            call_number="QA76.9.D3 S5637 2020",
            author="Silberschatz, Abraham",
            title="Database system concepts",
            sub_title="International student edition",
            place_of_publication="New York, NY",
            publisher="McGraw-Hill Education",
            edition="7th edition",
            publication_date="2020",
            pagination="xxiii, 1344 p.",
            isbn="0078022150",  # ISBN-10: the module allows SIZE (10) only
            verification_reference_source=EDIFACTString("WORLDCAT"),
        ),
        cost_info_type=T.CostInfoType(
            account_number="ACCT-77-310",
            maximum_cost=T.Amount(currency_code="USD", monetary_value="35.00"),
            reciprocal_agreement=True, will_pay_fee=True, payment_provided=False,
        ),
        copyright_compliance="US:CCG",
        requester_note="Needed for a thesis chapter; any edition is fine.",
        ill_request_extensions=(
            T.Extension(identifier=1, critical=False, item=External(
                direct_reference="1.2.840.10003.15.1000.81.1",
                encoding=OctetAligned(b"auth:P-0042817;pin=ok"),
            )),
        ),
    )


def shipped() -> isoill.APDU:
    return isoill.decode((VECTORS / "shipped.ber").read_bytes())


def status_report() -> isoill.APDU:
    return isoill.decode((VECTORS / "status-report.ber").read_bytes())


BER_MESSAGES = {"ILL-Request": ill_request, "Shipped": shipped, "Status-Or-Error-Report": status_report}
