"""What both protocol packages share: the error base, and (later) the sans-IO engine and ILL lifecycle.

Nothing here does I/O or reads a clock.
"""
