"""Transaction-Id normalisation, written once: the store key of a transaction, whether two ids name the same
transaction, and the short label reports put in correlation-information.
"""

from __future__ import annotations

from isoill._model import types as T
from isoill._model.apdus import APDU

__all__ = ["TransactionKey", "same_transaction", "transaction_key", "transaction_label"]

# (transaction-group-qualifier, transaction-qualifier, sub-transaction-qualifier or "")
TransactionKey = tuple[str, str, str]


def transaction_key(of: APDU | T.TransactionId) -> TransactionKey:
    """Transaction-Id as a store key. initial-requester-id is left out: peers often omit it after the
    ILL-Request, and the three qualifiers identify the transaction; an absent sub-transaction-qualifier is ""."""
    tid = of.transaction_id if isinstance(of, APDU) else of
    return (str(tid.transaction_group_qualifier), str(tid.transaction_qualifier),
            str(tid.sub_transaction_qualifier or ""))


def same_transaction(a: T.TransactionId, b: T.TransactionId) -> bool:
    """Whether two Transaction-Ids name the same transaction (equal keys)."""
    return transaction_key(a) == transaction_key(b)


def transaction_label(of: APDU | T.TransactionId) -> str:
    """`group:qualifier` or `group:qualifier/sub`, for log lines and correlation-information."""
    group, qualifier, sub = transaction_key(of)
    return f"{group}:{qualifier}/{sub}" if sub else f"{group}:{qualifier}"
