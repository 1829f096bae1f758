"""Building NCIP answers: the response element of a service, Problem responses, the mirrored ResponseHeader.

Used by the HTTP responder and by handlers; pure functions of the request message.
"""

from __future__ import annotations

from typing import Any

from . import model as M
from .values import SchemeValue

#: The scheme of the messaging and processing error types (NCIP implementation profile 1).
PROBLEM_SCHEME = "http://www.niso.org/ncip/v1_0/schemes/processingerrortype/generalprocessingerror.scm"

_RESPONSES: dict[str, type] = {name: M.CLASSES[name + "Response"] for name in
                               ("LookupUser", "AcceptItem", "RequestItem", "CheckOutItem", "CheckInItem",
                                "CancelRequestItem", "RenewItem", "RecallItem", "CreateUserFiscalTransaction",
                                "DeleteItem")}


def service_name(message: Any) -> str:
    """The element name of a message's service ("AcceptItem", "ProblemResponse", ...)."""
    return type(message).__name__


def response_header_for(request: Any) -> M.ResponseHeader | None:
    """The ResponseHeader answering a request's InitiationHeader: From and To swapped, None without one."""
    header = getattr(request, "initiation_header", None)
    if header is None:
        return None
    return M.ResponseHeader(from_system_id=header.to_system_id, from_agency_id=header.to_agency_id,
                            to_system_id=header.from_system_id, to_agency_id=header.from_agency_id)


def problem(problem_type: str, detail: str | None = None, *, element: str | None = None,
            value: str | None = None, scheme: str | None = PROBLEM_SCHEME) -> M.Problem:
    """One Problem element."""
    return M.Problem(problem_type=SchemeValue(problem_type, scheme), problem_detail=detail,
                     problem_element=element, problem_value=value)


def problem_response(service: str | None, problems: list[M.Problem] | M.Problem, request: Any = None
                     ) -> M.Message:
    """The answer carrying `problems` for a request of `service`: its response element when NCIP 2.02 has one
    (with the mirrored header when the request is at hand), else a bare ProblemResponse."""
    items = [problems] if isinstance(problems, M.Problem) else list(problems)
    cls = _RESPONSES.get(service or "")
    if cls is None:
        return M.ProblemResponse(problem=tuple(items))
    answer: M.Message = cls(response_header=response_header_for(request) if request is not None else None,
                            problem=tuple(items))
    return answer
