"""The set-up guides' "send a dummy request to the partner" as data: `DummyRequest` (who, what, where replies go)
built into an ISO 10161 ILL-Request or an ISO 18626 request that satisfies the partner's profile.

Pure: the caller passes the time and the transaction id; `MissingValue` names every value still needed.
"""

from __future__ import annotations

import datetime as _dt
import uuid

import attrs

import iso18626
import isoill
from illcore.errors import IsoIllError
from iso18626.profiles import Profile as Profile18626
from isoill import Role
from isoill.extensions.delivery_info import APDUDeliveryInfo, delivery_info, parameters, with_delivery_info
from isoill.profiles import Profile as Profile10161

__all__ = ["DummyRequest", "MissingValue", "agency_id", "build_10161", "build_18626", "fresh_id", "postal_address"]


class MissingValue(IsoIllError):
    """Values a request needs and was not given; `names` are DummyRequest field names, in order."""

    def __init__(self, names: list[str], why: dict[str, str]) -> None:
        self.names = names
        self.why = why
        super().__init__("missing " + "; ".join(f"{n} ({why[n]})" for n in names))


@attrs.frozen(kw_only=True)
class DummyRequest:
    """What staff type for a test request. `sender`/`recipient`: our symbol and the partner's (ISO 18626:
    TYPE:VALUE, ISIL when no type). `return_address`: the HOST:PORT where our ISO 10161 listener takes the
    replies; `partner_address`: where the request goes (recorded in APDU-Delivery-Info recipient-info)."""

    sender: str | None = None
    recipient: str | None = None
    title: str | None = None
    author: str | None = None
    delivery_address: str | None = None
    return_address: str | None = None
    partner_address: str | None = None
    service: str = "loan"
    note: str | None = None
    transaction_id: str = ""
    auth_account: str | None = None
    auth_secret: str | None = None


def fresh_id(sender: str, now: _dt.datetime) -> str:
    """A transaction id no earlier test request used: the date, the time and a random part."""
    return f"{now:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"


def _need(req: DummyRequest, names: dict[str, str]) -> None:
    missing = [n for n in names if not getattr(req, n)]
    if missing:
        raise MissingValue(missing, names)


def postal_address(text: str) -> isoill.PostalAddress:
    """"Name, street, city ..." as a Postal-Address: the first part names the institution."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    return isoill.PostalAddress(name_of_person_or_institution=isoill.NameOfInstitution(parts[0]) if parts else None,
                           street_and_number=parts[1] if len(parts) > 1 else None,
                           city=", ".join(parts[2:]) or None)


def _sid(symbol: str) -> isoill.SystemId:
    return isoill.SystemId(person_or_institution_symbol=isoill.InstitutionSymbol(symbol))


def build_10161(req: DummyRequest, profile: Profile10161 | None, now: _dt.datetime, *,
                version: int | None = None) -> isoill.ILLRequest:
    """The ILL-Request for `req`, meeting `profile` (APDU-Delivery-Info with the return address when the
    profile wants it); raises MissingValue naming everything missing, ProfileViolation if it still breaks it.
    `version`: protocol-version-num (default: the profile's, else 2)."""
    needed = {"sender": "our symbol", "recipient": "the partner's symbol", "title": "the title of a book the "
              "partner owns"}
    if profile is not None and profile.service(isoill.ILLRequest) and any(
            "delivery_address" in s.fields for s in profile.service(isoill.ILLRequest)):
        needed["delivery_address"] = f"the {profile.name} profile requires delivery-address"
    if profile is not None and profile.delivery_info:
        needed["return_address"] = f"the {profile.name} profile requires APDU-Delivery-Info with our HOST:PORT"
    _need(req, needed)
    assert req.sender is not None and req.recipient is not None
    stamp = isoill.ServiceDateTime(date_time_of_this_service=isoill.DateTime(date=f"{now:%Y%m%d}", time=f"{now:%H%M%S}"))
    service = isoill.ILLServiceType.LOAN if req.service == "loan" else isoill.ILLServiceType.COPY_NON_RETURNABLE
    apdu = isoill.ILLRequest(
        protocol_version_num=version or (profile.protocol_version if profile and profile.protocol_version
                                         else isoill.VERSION_2),
        transaction_id=isoill.TransactionId(initial_requester_id=_sid(req.sender), transaction_group_qualifier=req.sender,
                                       transaction_qualifier=req.transaction_id or fresh_id(req.sender, now)),
        service_date_time=stamp, requester_id=_sid(req.sender), responder_id=_sid(req.recipient),
        transaction_type=isoill.TransactionType.SIMPLE,
        delivery_address=isoill.DeliveryAddress(postal_address=postal_address(req.delivery_address))
        if req.delivery_address else None,
        ill_service_type=(service,),
        requester_optional_messages=isoill.RequesterOptionalMessagesType(
            can_send_received=True, can_send_returned=True, requester_shipped=isoill.MessageRequirement.REQUIRES,
            requester_checked_in=isoill.MessageRequirement.DESIRES),
        item_id=isoill.ItemId(item_type=isoill.ItemType.MONOGRAPH, title=req.title, author=req.author),
        requester_note=req.note,
    )
    if profile is not None and profile.request_extensions:
        apdu = attrs.evolve(apdu, ill_request_extensions=tuple(
            isoill.Extension(item=isoill.External.of(oid, value)) for oid, value in profile.request_extensions))
    if req.return_address:
        apdu = with_delivery_info(apdu, delivery_info(req.return_address, req.partner_address)
                                  if req.partner_address else _sender_only(req.return_address))
    if profile is not None:
        profile.enforce(apdu, sender=Role.REQUESTER)
    return apdu


def _sender_only(return_address: str) -> APDUDeliveryInfo:
    # Where the partner's address is not known yet (writing to a file), recipient-info is an empty list.
    return APDUDeliveryInfo(sender_info=(parameters(return_address),), recipient_info=())


def agency_id(text: str) -> iso18626.AgencyId:
    """"TYPE:VALUE" (or a bare VALUE, taken as ISIL) as an ISO 18626 agency id."""
    kind, sep, value = text.partition(":")
    if not sep:
        kind, value = "ISIL", kind
    return iso18626.AgencyId(agency_id_type=iso18626.SchemeValue(kind), agency_id_value=value)


def build_18626(req: DummyRequest, profile: Profile18626 | None, now: _dt.datetime) -> iso18626.Request:
    """The ISO 18626 request for `req` (meeting `profile`); raises MissingValue / ProfileViolation."""
    _need(req, {"sender": "our agency id", "recipient": "the partner's agency id",
                "title": "the title of a book the partner owns"})
    assert req.sender is not None and req.recipient is not None
    auth = None
    if req.auth_account or req.auth_secret:
        auth = iso18626.RequestingAgencyAuthentication(account_id=req.auth_account, security_code=req.auth_secret)
    delivery: tuple[iso18626.RequestedDeliveryInfo, ...] = ()
    if req.delivery_address:
        parts = [p.strip() for p in req.delivery_address.split(",") if p.strip()]
        delivery = (iso18626.RequestedDeliveryInfo(sort_order=1, address=iso18626.PhysicalAddress(
            line1=parts[0] if parts else None, line2=", ".join(parts[1:2]) or None,
            locality=", ".join(parts[2:]) or None)),)
    message = iso18626.Request(
        header=iso18626.Header(supplying_agency_id=agency_id(req.recipient), requesting_agency_id=agency_id(req.sender),
                               timestamp=now.astimezone(_dt.timezone.utc).replace(microsecond=0),
                               requesting_agency_request_id=req.transaction_id or fresh_id(req.sender, now),
                               requesting_agency_authentication=auth),
        bibliographic_info=iso18626.BibliographicInfo(title=req.title, author=req.author),
        service_info=iso18626.ServiceInfo(
            service_type=iso18626.ServiceType.LOAN if req.service == "loan" else iso18626.ServiceType.COPY,
            note=req.note),
        requested_delivery_info=delivery,
    )
    if profile is not None:
        profile.enforce(message)
    return message
