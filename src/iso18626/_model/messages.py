"""The six ISO 18626 messages and their headers, as frozen attrs value classes.

A superset of v1.2 and 2021 (v1.1 reads as v1.2 without multipleItemRequestId); `Message` is their union.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from iso18626._model.codes import Action, ErrorType, MessageStatus, ReasonForMessage
from iso18626._model.parts import (
    AgencyId,
    BibliographicInfo,
    BillingInfo,
    Extras,
    PatronInfo,
    PublicationInfo,
    RequestedDeliveryInfo,
    RequestingAgencyAuthentication,
    RequestingAgencyInfo,
    ServiceInfo,
    SupplierInfo,
)
from iso18626._model.supplying import (
    DeliveryInfo,
    MessageInfo,
    RetryInfo,
    ReturnInfo,
    ShippingInfo,
    StatusInfo,
)


@attrs.frozen(kw_only=True)
class Header:
    """header of request, supplyingAgencyMessage and requestingAgencyMessage (one superset class).

    v1.2 requires supplying_agency_id and writes multipleItemRequestId (empty when None); 2021 has
    consortial_id, makes supplying_agency_id optional in requests and drops some fields per message.
    """

    supplying_agency_id: AgencyId | None = None
    requesting_agency_id: AgencyId
    consortial_id: AgencyId | None = None
    multiple_item_request_id: str | None = None
    timestamp: datetime
    requesting_agency_request_id: str
    supplying_agency_request_id: str | None = None
    requesting_agency_authentication: RequestingAgencyAuthentication | None = None
    extras: Extras = ()


@attrs.frozen(kw_only=True)
class ConfirmationHeader:
    """confirmationHeader. multiple_item_request_id exists in v1.2 only."""

    supplying_agency_id: AgencyId | None = None
    requesting_agency_id: AgencyId | None = None
    timestamp: datetime
    requesting_agency_request_id: str | None = None
    multiple_item_request_id: str | None = None
    timestamp_received: datetime
    message_status: MessageStatus
    extras: Extras = ()


@attrs.frozen(kw_only=True)
class ErrorData:
    """errorData of a confirmation (v1.2 allows one, 2021 several)."""

    error_type: ErrorType
    error_value: str | None = None
    extras: Extras = ()


@attrs.frozen(kw_only=True)
class Request:
    """request: a requesting agency asks for an item. 2021 requires service_info."""

    header: Header
    bibliographic_info: BibliographicInfo
    publication_info: PublicationInfo | None = None
    service_info: ServiceInfo | None = None
    supplier_info: tuple[SupplierInfo, ...] = ()
    requested_delivery_info: tuple[RequestedDeliveryInfo, ...] = ()
    requesting_agency_info: RequestingAgencyInfo | None = None
    patron_info: PatronInfo | None = None
    billing_info: BillingInfo | None = None
    extras: Extras = ()


@attrs.frozen(kw_only=True)
class SupplyingAgencyMessage:
    """supplyingAgencyMessage: the supplier answers or reports a status change."""

    header: Header
    message_info: MessageInfo
    status_info: StatusInfo
    retry_info: RetryInfo | None = None
    delivery_info: DeliveryInfo | None = None
    shipping_info: ShippingInfo | None = None
    return_info: ReturnInfo | None = None
    extras: Extras = ()


@attrs.frozen(kw_only=True)
class RequestingAgencyMessage:
    """requestingAgencyMessage. `action` is None only after a lenient read of an empty action."""

    header: Header
    action: Action | None
    note: str | None = None
    extras: Extras = ()


@attrs.frozen(kw_only=True)
class RequestConfirmation:
    """requestConfirmation."""

    confirmation_header: ConfirmationHeader
    error_data: tuple[ErrorData, ...] = ()
    extras: Extras = ()


@attrs.frozen(kw_only=True)
class SupplyingAgencyMessageConfirmation:
    """supplyingAgencyMessageConfirmation: echoes the reason_for_message it confirms."""

    confirmation_header: ConfirmationHeader
    reason_for_message: ReasonForMessage | None = None
    error_data: tuple[ErrorData, ...] = ()
    extras: Extras = ()


@attrs.frozen(kw_only=True)
class RequestingAgencyMessageConfirmation:
    """requestingAgencyMessageConfirmation: echoes the action it confirms."""

    confirmation_header: ConfirmationHeader
    action: Action | None = None
    error_data: tuple[ErrorData, ...] = ()
    extras: Extras = ()


Message = (
    Request
    | RequestConfirmation
    | SupplyingAgencyMessage
    | SupplyingAgencyMessageConfirmation
    | RequestingAgencyMessage
    | RequestingAgencyMessageConfirmation
)
Confirmation = RequestConfirmation | SupplyingAgencyMessageConfirmation | RequestingAgencyMessageConfirmation
