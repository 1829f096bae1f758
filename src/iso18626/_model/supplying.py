"""Parts of the supplying agency message: messageInfo, statusInfo, retryInfo, deliveryInfo, shipping and return.

v1.2 keeps offeredCosts/retryAfter/retryBefore in messageInfo; the model keeps them in RetryInfo (2021).
"""

from __future__ import annotations

from datetime import datetime

import attrs

from iso18626._model.codes import ReasonForMessage, SchemeValue, ServiceType, Status, YesNo
from iso18626._model.parts import Address, AgencyId, Costs, Extras, PhysicalAddress


@attrs.frozen(kw_only=True)
class MessageInfo:
    """messageInfo: why the message was sent, the yes/no answer and the note."""

    reason_for_message: ReasonForMessage
    answer_yes_no: YesNo | None = None
    note: str | None = None
    reason_unfilled: SchemeValue | None = None
    reason_retry: SchemeValue | None = None
    extras: Extras = ()


@attrs.frozen(kw_only=True)
class StatusInfo:
    """statusInfo. `status` is None only after a lenient read of an empty status (Alma: "no change")."""

    status: Status | None
    expected_delivery_date: datetime | None = None
    due_date: datetime | None = None
    last_change: datetime
    extras: Extras = ()


@attrs.frozen(kw_only=True)
class RetryInfo:
    """retryInfo (2021). v1.2 can carry only one offered_costs, retry_after and retry_before (in messageInfo)."""

    loan_condition: tuple[SchemeValue, ...] = ()
    edition: tuple[str, ...] = ()
    item_format: tuple[SchemeValue, ...] = ()
    volume: tuple[str, ...] = ()
    service_type: ServiceType | None = None
    service_level: tuple[SchemeValue, ...] = ()
    delivery_method: tuple[SchemeValue, ...] = ()
    courier_name: tuple[SchemeValue, ...] = ()
    offered_costs: tuple[Costs, ...] = ()
    payment_method: tuple[SchemeValue, ...] = ()
    retry_before: datetime | None = None
    retry_after: datetime | None = None
    extras: Extras = ()


@attrs.frozen(kw_only=True)
class DeliveryInfo:
    """deliveryInfo. delivery_method / item_format are v1.2's sentVia / deliveredFormat."""

    date_sent: datetime
    item_id: tuple[str, ...] = ()
    url: str | None = None
    delivery_method: SchemeValue | None = None
    address: Address | None = None
    sent_to_patron: bool | None = None
    loan_condition: tuple[SchemeValue, ...] = ()
    item_format: SchemeValue | None = None
    service_type: ServiceType | None = None
    delivery_costs: tuple[Costs, ...] = ()
    payment_method: SchemeValue | None = None
    extras: Extras = ()


@attrs.frozen(kw_only=True)
class ShippingInfo:
    """shippingInfo (2021 only)."""

    courier_name: SchemeValue | None = None
    tracking_id: tuple[str, ...] = ()
    insurance: YesNo | None = None
    insurance_third_party: YesNo | None = None
    third_party_name: str | None = None
    insurance_costs: tuple[Costs, ...] = ()
    extras: Extras = ()


@attrs.frozen(kw_only=True)
class ReturnInfo:
    """returnInfo: where a loan goes back to."""

    return_agency_id: AgencyId | None = None
    name: str | None = None
    physical_address: PhysicalAddress | None = None
    extras: Extras = ()


@attrs.frozen(kw_only=True)
class MessageInfoV12:
    """Internal: v1.2's messageInfo, which also holds what 2021 moved into retryInfo."""

    reason_for_message: ReasonForMessage
    answer_yes_no: YesNo | None = None
    note: str | None = None
    reason_unfilled: SchemeValue | None = None
    reason_retry: SchemeValue | None = None
    offered_costs: tuple[Costs, ...] = ()
    retry_after: datetime | None = None
    retry_before: datetime | None = None
    extras: Extras = ()


__all__ = [
    "Address",
    "DeliveryInfo",
    "MessageInfo",
    "MessageInfoV12",
    "RetryInfo",
    "ReturnInfo",
    "ShippingInfo",
    "StatusInfo",
]
