"""Language-model providers behind the `LLM` port.

`ALLOW_REAL_CALLS` is checked by every adapter that reaches a real provider; the test suite
sets it to False so that no test can call one by accident.
"""

ALLOW_REAL_CALLS = True

__all__ = ("ALLOW_REAL_CALLS",)
