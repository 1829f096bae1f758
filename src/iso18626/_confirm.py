"""Build the confirmation that answers an incoming message, or a ValidationError raised while parsing one.

Echoes the header ids, action / reasonForMessage, and puts the incoming timestamp in timestampReceived.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from iso18626._model.codes import MessageStatus
from iso18626._model.messages import (
    Confirmation,
    ConfirmationHeader,
    ErrorData,
    Message,
    Request,
    RequestConfirmation,
    RequestingAgencyMessage,
    RequestingAgencyMessageConfirmation,
    SupplyingAgencyMessage,
    SupplyingAgencyMessageConfirmation,
)
from iso18626._xml.salvage import Salvaged
from iso18626.errors import ValidationError


def confirmation_for(incoming: Message | ValidationError, *, timestamp: datetime,
                     errors: Sequence[ErrorData] = (), version: str = "1.2") -> Confirmation:
    """The confirmation answering `incoming`, stamped `timestamp` (the library has no clock: pass now).

    - a Request, SupplyingAgencyMessage or RequestingAgencyMessage gets its own confirmation kind, status OK,
      or ERROR when `errors` are given;
    - a ValidationError gets status ERROR with its errorType and detail, echoing whatever of the message could
      be read (a message of unknown kind is answered with a requestConfirmation);
    - `version` "2021" leaves out multipleItemRequestId, which 2021 confirmations do not have.
    Confirmations themselves are never confirmed (ValueError).
    """
    if isinstance(incoming, ValidationError):
        facts = incoming.incoming or Salvaged()
        detail = incoming.detail + (f" (at {incoming.path})" if incoming.path else "")
        errs = tuple(errors) or (ErrorData(error_type=incoming.error_type, error_value=detail),)
        header = ConfirmationHeader(
            supplying_agency_id=facts.supplying_agency_id, requesting_agency_id=facts.requesting_agency_id,
            timestamp=timestamp, requesting_agency_request_id=facts.requesting_agency_request_id,
            multiple_item_request_id=None if version == "2021" else facts.multiple_item_request_id,
            # the standard wants the incoming message's timestamp; when even that is unreadable, ours
            timestamp_received=facts.timestamp or timestamp, message_status=MessageStatus.ERROR)
        if facts.kind == "supplyingAgencyMessage":
            return SupplyingAgencyMessageConfirmation(confirmation_header=header,
                                                      reason_for_message=facts.reason_for_message,
                                                      error_data=errs)
        if facts.kind == "requestingAgencyMessage":
            return RequestingAgencyMessageConfirmation(confirmation_header=header, action=facts.action,
                                                       error_data=errs)
        if facts.kind not in (None, "request"):
            raise ValueError(f"a {facts.kind} is a confirmation and is not confirmed")
        return RequestConfirmation(confirmation_header=header, error_data=errs)

    if not isinstance(incoming, (Request, SupplyingAgencyMessage, RequestingAgencyMessage)):
        raise ValueError(f"a {type(incoming).__name__} is a confirmation and is not confirmed")
    h = incoming.header
    header = ConfirmationHeader(
        supplying_agency_id=h.supplying_agency_id, requesting_agency_id=h.requesting_agency_id,
        timestamp=timestamp, requesting_agency_request_id=h.requesting_agency_request_id,
        multiple_item_request_id=None if version == "2021" else h.multiple_item_request_id,
        timestamp_received=h.timestamp,
        message_status=MessageStatus.ERROR if errors else MessageStatus.OK)
    errs = tuple(errors)
    if isinstance(incoming, SupplyingAgencyMessage):
        return SupplyingAgencyMessageConfirmation(
            confirmation_header=header, reason_for_message=incoming.message_info.reason_for_message,
            error_data=errs)
    if isinstance(incoming, RequestingAgencyMessage):
        return RequestingAgencyMessageConfirmation(confirmation_header=header, action=incoming.action,
                                                   error_data=errs)
    return RequestConfirmation(confirmation_header=header, error_data=errs)
