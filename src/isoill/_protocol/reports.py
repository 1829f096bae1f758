"""Builders for the ISO 10161 Status-Or-Error-Report: error reports (state, transaction id, general problems)
and the status report that answers a Status-Query. Pure functions: the caller passes the time of the reply.
"""

from __future__ import annotations

from isoill._model import enums as E
from isoill._model import types as T
from isoill._model.apdus import APDU, StatusOrErrorReport

__all__ = [
    "error_report", "general_problem", "reply", "state_transition_prohibited", "status_report",
    "transaction_id_problem", "unknown_transaction_reply",
]


def _correlation(apdu: APDU) -> str:
    # correlation-information identifies the APDU in error for the peer's operator: its type and transaction
    tid = apdu.transaction_id
    qualifier = str(tid.transaction_qualifier)
    if tid.sub_transaction_qualifier is not None:
        qualifier += f"/{tid.sub_transaction_qualifier}"
    return f"{type(apdu).__name__} {tid.transaction_group_qualifier}:{qualifier}"


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
