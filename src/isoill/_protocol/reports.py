"""Every builder of the ISO 10161 Status-Or-Error-Report, in one place: error reports (state, transaction id,
general problems) and status reports answering a Status-Query. Pure: the caller passes the time of the reply.
"""

from __future__ import annotations

from isoill._model import enums as E
from isoill._model import types as T
from isoill._model.apdus import APDU, ILLRequest, StatusOrErrorReport
from isoill._protocol.ids import transaction_label

__all__ = [
    "error_reply", "error_report", "general_problem", "reply", "state_transition_prohibited", "status_reply",
    "status_report", "transaction_id_problem", "unknown_transaction_reply",
]


def _correlation(apdu: APDU) -> str:
    # correlation-information identifies the APDU in error for the peer's operator: its type and transaction
    return f"{type(apdu).__name__} {transaction_label(apdu)}"


def error_report(problem: T.ProviderErrorReport, *, correlation: str) -> T.ErrorReport:
    """An error-report from the ILL service provider (report-source provider(2))."""
    return T.ErrorReport(correlation_information=correlation, report_source=E.ReportSource.PROVIDER,
                         provider_error_report=problem)


def state_transition_prohibited(apdu: APDU, current_state: E.CurrentState) -> T.ErrorReport:
    """`apdu` is not allowed in `current_state`: provider-error-report state-transition-prohibited."""
    problem = T.StateTransitionProhibited(apdu_type=apdu.APDU_TYPE, current_state=current_state)
    return error_report(problem, correlation=_correlation(apdu))


def transaction_id_problem(apdu: APDU, problem: E.TransactionIdProblem = E.TransactionIdProblem.UNKNOWN_TRANSACTION_ID,
                           ) -> T.ErrorReport:
    """`apdu` names a transaction this side does not know (or a duplicate / invalid one)."""
    return error_report(problem, correlation=_correlation(apdu))


def general_problem(problem: E.GeneralProblem, *, correlation: str) -> T.ErrorReport:
    """An APDU that could not be decoded at all (unrecognized, mistyped, badly structured, wrong version)."""
    return error_report(problem, correlation=correlation)


def reply(to: APDU, *, service_date_time: T.ServiceDateTime, error_report: T.ErrorReport | None = None,
          status_report: T.StatusReport | None = None, note: str | None = None) -> StatusOrErrorReport:
    """The Status-Or-Error-Report answering `to`: same transaction id, requester and responder ids."""
    return StatusOrErrorReport(
        protocol_version_num=to.protocol_version_num, transaction_id=to.transaction_id,
        service_date_time=service_date_time, requester_id=to.requester_id, responder_id=to.responder_id,
        error_report=error_report, status_report=status_report, note=note)


def unknown_transaction_reply(apdu: APDU, *, service_date_time: T.ServiceDateTime) -> StatusOrErrorReport:
    """What a gateway answers to an APDU for a transaction it has no record of."""
    return reply(apdu, service_date_time=service_date_time, error_report=transaction_id_problem(apdu))


def status_report(current_state: E.CurrentState, history: T.HistoryReport) -> T.StatusReport:
    """status-report { user-status-report History-Report, provider-status-report Current-State }."""
    return T.StatusReport(user_status_report=history, provider_status_report=current_state)


_EMPTY_TID = T.TransactionId(transaction_group_qualifier="", transaction_qualifier="")


def error_reply(problem: E.GeneralProblem | T.StateTransitionProhibited, about: APDU | None = None, note: str = "",
                *, service_date_time: T.ServiceDateTime) -> StatusOrErrorReport:
    """A provider error report (general-problem or state-transition-prohibited) as a whole APDU, about `about`
    when it could be decoded (else with an empty Transaction-Id); `note` becomes correlation-information."""
    return StatusOrErrorReport(
        transaction_id=about.transaction_id if about is not None else _EMPTY_TID,
        service_date_time=service_date_time,
        requester_id=about.requester_id if about is not None else None,
        responder_id=about.responder_id if about is not None else None,
        error_report=error_report(problem, correlation=note[:200] or "error"),
    )


def status_reply(about: APDU, state: E.CurrentState | None, *, service_date_time: T.ServiceDateTime,
                 ) -> StatusOrErrorReport:
    """A status report answering `about` from `about` alone and a known state (UNKNOWN when None): what a
    server answers for a transaction that has no History-Report of its own (`Transaction.status_report` gives
    the full one)."""
    try:
        recent = E.MostRecentService(about.APDU_TYPE)
    except ValueError:
        recent = E.MostRecentService.MESSAGE
    date = about.service_date_time.date_time_of_this_service.date
    request = about if isinstance(about, ILLRequest) else None
    history = T.HistoryReport(
        date_requested=date if request else None,
        author=request.item_id.author if request else None,
        title=request.item_id.title if request else None,
        date_of_last_transition=date, most_recent_service=recent, date_of_most_recent_service=date,
        initiator_of_most_recent_service=about.requester_id or T.SystemId(),
    )
    return reply(about, service_date_time=service_date_time,
                 status_report=status_report(state or E.CurrentState.UNKNOWN, history))
