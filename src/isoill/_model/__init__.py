"""internal"""
__all__: list[str] = []
