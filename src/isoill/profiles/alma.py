"""Ex Libris Alma (and Rapido) as an ISO 10161 peer: Alma's "ISO ILL" profile as a services table and the rules
beside it (protocol version 2, simple transactions, UTF-8, only unfilled ILL-Answers, date-due on a granted renewal).
"""

from __future__ import annotations

from collections.abc import Iterable

from illcore.profiles import Violation
from isoill._model import apdus as A
from isoill._model import enums as E
from isoill._protocol.machine import Role
from isoill.profiles._profile import OPTIONAL, REQUIRED, Profile, Service, asn1_path

# Where each fact comes from. The Ex Libris developer page "ISO ILL" (Alma > Integrations > Resource sharing >
# P2P > ISO ILL, developers.exlibrisgroup.com/alma/integrations/resource_sharing/p2p/iso/) gives the general
# settings, the messages each role sends and the events table (research notes: ill-systems.md section 5 and
# iso10161.md section 2.4). Its services/fields table (required or optional per role, required fields per
# service, unsupported aliases / forward-flag / retry-flag) is as summarised in issue #15 from that page; the
# research notes do not quote the field table itself.
PAGE = "Ex Libris, Alma ISO ILL profile (developers.exlibrisgroup.com/alma/integrations/resource_sharing/p2p/iso/)"
SETTINGS = f"{PAGE}: 'Protocol Version 2; transaction types Simple; Character Set: Unicode/UTF-8'"
TABLE = f"{PAGE}, services and fields table (as summarised in issue #15)"
EVENTS = f"{PAGE}, events table: Answer-Unfilled moves the request to the next partner; Expired closes it"
CSU = ("CSU guide 'ILLiad and Rapido ISO connection' (calstate.atlassian.net): Alma's ISO port 9001 "
       "(UNVERIFIED elsewhere)")
ADI = (f"{TABLE}: APDUDeliveryInfo on every APDU, read to identify sender and receiver; OID 1.0.10161.13.3 "
       "(ASMA register regi13-3)")

B, L = Role.REQUESTER, Role.RESPONDER  # Alma's borrower and lender

SERVICES = (
    Service(A.ILLRequest, B, REQUIRED, ("delivery_address",), TABLE),
    Service(A.Received, B, REQUIRED, ("date_received",), TABLE),
    Service(A.Returned, B, REQUIRED, ("date_returned",), TABLE),
    Service(A.Cancel, B, REQUIRED, (), TABLE),
    Service(A.Renew, B, OPTIONAL, (), TABLE),
    Service(A.Message, B, OPTIONAL, ("note",), TABLE),
    Service(A.Shipped, L, REQUIRED, ("shipped_service_type",), TABLE),
    Service(A.ILLAnswer, L, REQUIRED, ("transaction_results",), TABLE),  # unfilled only: see `answers`
    Service(A.CheckedIn, L, OPTIONAL, ("date_checked_in",), TABLE),
    Service(A.CancelReply, L, OPTIONAL, ("answer",), TABLE),
    Service(A.RenewAnswer, L, OPTIONAL, ("answer",), TABLE),
    Service(A.Message, L, OPTIONAL, ("note",), TABLE),
    Service(A.Expired, L, OPTIONAL, (), EVENTS),
)


def renewal_granted_with_date_due(apdu: A.APDU) -> Iterable[Violation]:
    """A Renew-Answer that grants the renewal must say until when (Alma's table: date-due when granted)."""
    if isinstance(apdu, A.RenewAnswer) and apdu.answer and apdu.date_due is None:
        yield Violation(asn1_path(apdu, "date_due"), "required by the alma profile when the renewal is granted "
                                                     "(answer TRUE)", TABLE)


RULE_SOURCES = {"renewal_granted_with_date_due": TABLE}

ALMA = Profile(
    name="alma",
    title="Alma",
    services=SERVICES,
    protocol_version=E.VERSION_2,
    transaction_type=E.TransactionType.SIMPLE,
    answers=frozenset({E.TransactionResults.UNFILLED}),
    unsupported=("retry_flag", "forward_flag"),
    delivery_info=True,
    delivery_info_aliases=False,
    strict=False,
    port=9001,
    charset="utf-8",
    rules=(renewal_granted_with_date_due,),
    sources={
        "services": TABLE, "protocol_version": SETTINGS, "transaction_type": SETTINGS, "charset": SETTINGS,
        "answers": f"{TABLE}: transaction-results 3 (unfilled) is the only ILL-Answer Alma supports",
        "unsupported": f"{TABLE}: aliases, forward-flag and retry-flag are not supported",
        "delivery_info": ADI, "port": CSU, "events": EVENTS,
    },
)
