"""ISO 18626 peer profiles: how Alma/Rapido, ILLiad, ReShare, CrossLink and OCLC peers use the messages, as data
plus the few rules beside it, each with its source (research notes iso18626.md section 8, ill-systems.md 4-5).

`PROFILES[name].check(message)` lists every violation (element paths); `.enforce(message)` raises one error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import attrs

from illcore.profiles import ProfileViolation, Violation
from iso18626 import (
    Message,
    ReasonForMessage,
    Request,
    RequestingAgencyMessage,
    Status,
    SupplyingAgencyMessage,
)

__all__ = ["ALMA", "CROSSLINK", "ILLIAD", "OCLC", "PROFILES", "Profile", "RESHARE", "RESHARE_MARKERS", "Rule",
           "note_markers"]

Rule = Callable[[Message], Iterable[Violation]]

# Only the package's public names are imported above: its modules are being re-laid out, its API stays.
SHIM = ("crosslink broker/shim/shim.go and its commit log (research notes iso18626.md section 8 item 6, "
        "ill-systems.md 4.1)")
EXLIBRIS = ("Ex Libris developer page 'ISO ILL': Alma supports ISO 18626 with ISO-18626-v1_1.xsd since July 2019 "
            "(research notes ill-systems.md section 5)")
CROSSLINK_STATUS = ("crosslink validateStatusAndReasonForMessage: 'suppliers like Alma/Rapido may send an empty "
                    "status to indicate no status change' (research notes iso18626.md section 3.1)")
RESHARE_NOTES = "mod-rs NoteSpecials.groovy and request id handling (research notes iso18626.md section 8 item 7)"
CANCEL_RESPONSE = "crosslink message-handler.go: contradictory cancel response (research notes iso18626.md 3.2)"
OCLC_TOOLKIT = ("OCLC circill-toolkit samples and HttpClientImpl: ns1 prefix, version v1_2_2017, V1.0 scheme URIs, "
                "agency-pair Authentication header (research notes iso18626.md section 8 item 9)")

DOCUMENT = "/ISO18626Message"
SAM = "supplyingAgencyMessage"
# ReShare's note markers (a few carry a value after a colon or a number): NoteSpecials.groovy.
RESHARE_MARKERS = ("ReShareAddLoanCondition", "ReShareLoanConditionAgreeResponse",
                   "ReShareSupplierAwaitingConditionConfirmation", "ReShareSupplierConditionsAssumedAgreed",
                   "ABORT", "seq", "lastSeq", "ReShareUpdatedField")
_MARKER = re.compile(r"#([A-Za-z]+)(?:[-:][^#]*)?#")


def note_markers(note: str | None) -> list[str]:
    """The `#Name#` / `#Name:value#` markers ReShare puts in a note, by name, in order."""
    return _MARKER.findall(note or "")


@attrs.frozen(kw_only=True)
class Profile:
    """What one kind of ISO 18626 peer does. `expect_to_supply`: whether it understands that status.
    `note_only_on_notification`: it shows a note only when reasonForMessage is Notification.
    `costs_only_on`: the statuses on which it honours deliveryCosts (None: any). `structured_as_note`: it wants
    loan conditions, costs and addresses as note text, not as elements. `reasons`: the reasonForMessage it
    expects with a status. `max_request_id`: longer requestingAgencyRequestIds get trimmed. `empty_status`: it
    sends notifications with an empty status (read leniently). `version`: the version we write to it;
    `version_attribute` / `prefix`: how it writes its own. `strict`: refuse a violating message with an ERROR
    confirmation (else report it and go on)."""

    name: str
    title: str
    version: str = "1.2"
    version_attribute: str | None = None
    prefix: str | None = None
    expect_to_supply: bool = True
    note_only_on_notification: bool = False
    costs_only_on: frozenset[Status] | None = None
    structured_as_note: bool = False
    reasons: dict[Status, ReasonForMessage] = attrs.field(factory=dict)
    max_request_id: int | None = None
    empty_status: bool = False
    note_markers: tuple[str, ...] = ()
    strict: bool = False
    rules: tuple[Rule, ...] = ()
    sources: dict[str, str] = attrs.field(factory=dict)

    def check(self, message: Message) -> list[Violation]:
        """Every way `message` breaks this profile, with element paths from the document root."""
        out: list[Violation] = []
        root = _ROOTS.get(type(message))
        header = getattr(message, "header", None)
        if root is not None and header is not None and self.max_request_id is not None:
            rid = str(header.requesting_agency_request_id)
            if len(rid) > self.max_request_id:
                out.append(Violation(f"{root}/header/requestingAgencyRequestId",
                                     f"{len(rid)} characters; {self.title} trims ids over {self.max_request_id}",
                                     self.sources.get("max_request_id", "")))
        if isinstance(message, SupplyingAgencyMessage):
            out += self._supplying(message)
        if self.note_markers:
            note = _note(message)
            for marker in note_markers(note):
                if marker not in self.note_markers:
                    out.append(Violation(f"{root}/{_note_path(message)}", f"unknown {self.title} note marker "
                                         f"#{marker}#", self.sources.get("note_markers", "")))
        for rule in self.rules:
            out += rule(message)
        # Element paths as the parser reports them, from the document root.
        return [attrs.evolve(v, path=f"{DOCUMENT}/{v.path}") for v in out]

    def enforce(self, message: Message) -> None:
        """Raise `ProfileViolation` listing every violation (before sending `message` to such a peer)."""
        found = self.check(message)
        if found:
            raise ProfileViolation(self.name, found)

    def _supplying(self, m: SupplyingAgencyMessage) -> list[Violation]:
        out = []
        status, reason = m.status_info.status, m.message_info.reason_for_message
        src = self.sources.get
        if status is None and not (self.empty_status and reason is ReasonForMessage.NOTIFICATION):
            why = "outside a Notification" if self.empty_status else f"{self.title} sends and expects a status"
            out.append(Violation(f"{SAM}/statusInfo/status", f"empty ({why})", src("empty_status", "")))
        if status is Status.EXPECT_TO_SUPPLY and not self.expect_to_supply:
            out.append(Violation(f"{SAM}/statusInfo/status", f"ExpectToSupply is not supported by {self.title} "
                                 "(send WillSupply)", src("expect_to_supply", "")))
        wanted = self.reasons.get(status) if status is not None else None
        if wanted is not None and reason is not wanted:
            out.append(Violation(f"{SAM}/messageInfo/reasonForMessage", f"{reason.value} with status "
                                 f"{status.value if status else ''}; {self.title} expects {wanted.value}",
                                 src("reasons", "")))
        if self.note_only_on_notification and m.message_info.note and reason is not ReasonForMessage.NOTIFICATION:
            out.append(Violation(f"{SAM}/messageInfo/note", f"{self.title} shows a note only when "
                                 f"reasonForMessage is Notification (here {reason.value})", src("notes", "")))
        delivery = m.delivery_info
        if delivery is not None and delivery.delivery_costs and self.costs_only_on is not None \
                and status not in self.costs_only_on:
            honoured = " and ".join(sorted(s.value for s in self.costs_only_on))
            out.append(Violation(f"{SAM}/deliveryInfo/deliveryCosts", f"ignored by {self.title} except on "
                                 f"{honoured}", src("costs", "")))
        if self.structured_as_note:
            packed = {
                "deliveryInfo/loanCondition": delivery is not None and bool(delivery.loan_condition),
                "deliveryInfo/address": delivery is not None and delivery.address is not None,
                "retryInfo/loanCondition": m.retry_info is not None and bool(m.retry_info.loan_condition),
                "retryInfo/offeredCosts": m.retry_info is not None and bool(m.retry_info.offered_costs),
                "returnInfo/physicalAddress": m.return_info is not None
                and m.return_info.physical_address is not None,
            }
            for path, present in packed.items():
                if present:
                    out.append(Violation(f"{SAM}/{path}", f"{self.title} reads this only as note text "
                                         "(Condition: / Cost: / #RETURN_TO# ... in messageInfo/note)",
                                         src("structured_as_note", "")))
        return out


_ROOTS: dict[type, str] = {Request: "request", SupplyingAgencyMessage: SAM,
                           RequestingAgencyMessage: "requestingAgencyMessage"}


def _note(message: Message) -> str | None:
    if isinstance(message, SupplyingAgencyMessage):
        return message.message_info.note
    if isinstance(message, RequestingAgencyMessage):
        return message.note
    if isinstance(message, Request) and message.service_info is not None:
        return message.service_info.note
    return None


def _note_path(message: Message) -> str:
    if isinstance(message, SupplyingAgencyMessage):
        return "messageInfo/note"
    return "serviceInfo/note" if isinstance(message, Request) else "note"


def contradictory_cancel_response(message: Message) -> Iterable[Violation]:
    """A CancelResponse saying yes with WillSupply, or no with Cancelled, contradicts itself."""
    if not isinstance(message, SupplyingAgencyMessage):
        return
    info = message.message_info
    if info.reason_for_message is not ReasonForMessage.CANCEL_RESPONSE or info.answer_yes_no is None:
        return
    status = message.status_info.status
    if (info.answer_yes_no.value == "Y" and status is Status.WILL_SUPPLY) or \
            (info.answer_yes_no.value == "N" and status is Status.CANCELLED):
        yield Violation(f"{SAM}/messageInfo/answerYesNo", f"{info.answer_yes_no.value} contradicts status "
                        f"{status.value if status else ''} in a CancelResponse", CANCEL_RESPONSE)


RULE_SOURCES = {"contradictory_cancel_response": CANCEL_RESPONSE}

_ALMA_REASONS = {Status.WILL_SUPPLY: ReasonForMessage.REQUEST_RESPONSE, Status.LOANED: ReasonForMessage.STATUS_CHANGE}
_ALMA_SOURCES = {
    "expect_to_supply": f"{SHIM}: 'Rewrite ExpectToSupply to WillSupply for Alma'",
    "empty_status": CROSSLINK_STATUS,
    "reasons": f"{SHIM}: 'WillSupply is always RequestResponse', 'Loaned reason is always StatusChange'",
    "notes": f"{SHIM}: Alma only shows the note when reasonForMessage is Notification",
    "costs": f"{SHIM}: delivery costs only on Loaned/CopyCompleted",
    "structured_as_note": f"{SHIM}: loan conditions, costs, URL, #SHIP_TO#/#RETURN_TO# addresses packed into note",
    "version": EXLIBRIS,
}

ALMA = Profile(
    name="alma", title="Alma", expect_to_supply=False, note_only_on_notification=True,
    costs_only_on=frozenset({Status.LOANED, Status.COPY_COMPLETED}), structured_as_note=True,
    reasons=_ALMA_REASONS, empty_status=True, sources=_ALMA_SOURCES,
)
# ILLiad: the same normalisations as Alma minus the note packing (crosslink Iso18626ILLiadShim).
ILLIAD = attrs.evolve(ALMA, name="illiad", title="ILLiad", note_only_on_notification=False,
                      structured_as_note=False, empty_status=False,
                      sources={**{k: v for k, v in _ALMA_SOURCES.items() if k not in ("version", "empty_status",
                                                                                       "notes", "structured_as_note")},
                               "profile": f"{SHIM}: Iso18626ILLiadShim"})
RESHARE = Profile(
    name="reshare", title="ReShare", max_request_id=32, note_markers=RESHARE_MARKERS,
    sources={"max_request_id": f"{RESHARE_NOTES}: ids over 32 characters get trimmed",
             "note_markers": RESHARE_NOTES},
)
# CrossLink passes ReShare's markers through and refuses a contradictory CancelResponse.
CROSSLINK = attrs.evolve(RESHARE, name="crosslink", title="CrossLink", max_request_id=None,
                         rules=(contradictory_cancel_response,),
                         sources={"note_markers": RESHARE_NOTES, "cancel_response": CANCEL_RESPONSE})
OCLC = Profile(name="oclc", title="OCLC", version_attribute="v1_2_2017", prefix="ns1",
               sources={"version_attribute": OCLC_TOOLKIT, "prefix": OCLC_TOOLKIT, "auth": OCLC_TOOLKIT})

PROFILES: dict[str, Profile] = {p.name: p for p in (ALMA, ILLIAD, RESHARE, CROSSLINK, OCLC)}
