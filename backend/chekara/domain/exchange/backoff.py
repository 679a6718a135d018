"""How long a failed delivery waits before it is tried again: exponential, capped.

After the n-th failed attempt the next waits base * 2**(n-1) seconds, at
most cap. No jitter: deliveries are one at a time per partner (in order), so
there is no herd of retries to spread out, and a fixed schedule is one a
partner can be told.

>>> [retry_delay_s(n, base_s=5, cap_s=60) for n in range(1, 7)]
[5.0, 10.0, 20.0, 40.0, 60.0, 60.0]
"""

from __future__ import annotations


def retry_delay_s(failed_attempts: int, base_s: float, cap_s: float) -> float:
    """Seconds to wait after the given number of failed attempts (1 or more)."""
    if failed_attempts < 1:
        raise ValueError("failed_attempts counts from 1")
    if base_s <= 0 or cap_s < base_s:
        raise ValueError("need 0 < base_s <= cap_s")
    exponent = min(failed_attempts - 1, 62)  # 2**62 s is already far past any cap
    return float(min(cap_s, base_s * 2**exponent))
