"""The --max-requests and --max-cost ceilings, kept at the HTTP choke point.

``Http`` asks its ``Budget`` before every request it sends over the network
(answers from the cache are free and never counted): one more request must
stay within ``max_requests``, and the most the request can cost, its
``Charge.at_most``, must fit in what is left of ``max_cost``. When it does
not, ``LimitReached`` is raised before anything is sent, so a ceiling is
never crossed. After the answer, the charge is settled at what the answer
actually returned, so a short last page leaves room for the next request.

Money is followaudit's reckoning from the platform's published prices (X
bills every user and post returned, 2026), not the platform's invoice: X's
own 24-hour de-duplication can make the invoice lower, never higher.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from followaudit.errors import LimitReached


@dataclass(frozen=True)
class Charge:
    """What one request costs: the most it can, and what a given answer did."""

    at_most: float  # dollars, known before the request is sent
    billed: Callable[[Any], float]  # dollars for the parsed answer (the JSON body)


@dataclass(frozen=True)
class Ceilings:
    """Hard limits for one run (None: no limit); cached answers do not count."""

    max_requests: int | None = None
    max_cost: float | None = None  # US dollars

    def __post_init__(self) -> None:
        if self.max_requests is not None and self.max_requests < 1:
            raise ValueError("max_requests must be at least 1")
        if self.max_cost is not None and not 0 <= self.max_cost < math.inf:
            raise ValueError("max_cost must be a finite number of dollars, not negative")


# The advice every stop at a ceiling ends with.
RESUME_ADVICE = (
    "what was fetched is kept in the cache, so the same command with a higher ceiling "
    "continues from there (cached answers cost nothing)"
)


class Budget:
    """Requests sent and dollars spent by one run, checked against its ``Ceilings``.

    Thread-safe: ``Http.get_many`` sends from several threads. Money is held
    back at ``Charge.at_most`` while a request is in flight, so concurrent
    requests cannot together cross ``max_cost``.
    """

    def __init__(self, ceilings: Ceilings | None = None) -> None:
        self.ceilings = ceilings if ceilings is not None else Ceilings()
        self.requests = 0  # sent over the network, retries included
        self.spent = 0.0  # dollars settled
        self._held = 0.0  # dollars held for requests in flight
        self._lock = threading.Lock()

    def take_request(self) -> None:
        """Count one request about to be sent; LimitReached if it would cross --max-requests."""
        with self._lock:
            limit = self.ceilings.max_requests
            if limit is not None and self.requests + 1 > limit:
                raise LimitReached(
                    f"Stopped at --max-requests {limit:,}: the scan needs more requests "
                    f"than that; {RESUME_ADVICE}"
                )
            self.requests += 1

    def affordable(self, unit_price: float) -> int | None:
        """Return how many objects at ``unit_price`` still fit under --max-cost (None: no limit).

        An adapter sizes its page by it (X's ``max_results``), so the last
        page before the ceiling asks for what can still be paid for.
        """
        limit = self.ceilings.max_cost
        if limit is None or unit_price <= 0:
            return None
        with self._lock:
            left = limit - self.spent - self._held
        return max(0, int((left + 1e-9) // unit_price))

    def hold(self, charge: Charge) -> None:
        """Hold the most ``charge`` can cost; LimitReached if that could cross --max-cost."""
        with self._lock:
            limit = self.ceilings.max_cost
            committed = self.spent + self._held
            # A cent's rounding never stops a scan that fits exactly.
            if limit is not None and committed + charge.at_most > limit + 1e-9:
                raise LimitReached(
                    f"Stopped at --max-cost ${limit:,.2f}: ${self.spent:,.2f} spent so far, "
                    f"and the next request could cost up to ${charge.at_most:,.2f}; "
                    f"{RESUME_ADVICE}"
                )
            self._held += charge.at_most

    def settle(self, charge: Charge, data: Any | None) -> None:
        """Release the hold of ``charge`` and spend what the answer ``data`` returned.

        ``data`` None: no answer came (an error, nothing billed).
        """
        cost = 0.0
        if data is not None:
            try:
                cost = max(0.0, min(float(charge.billed(data)), charge.at_most))
            except (TypeError, ValueError, AttributeError):
                cost = charge.at_most  # cannot count it: assume the most
        with self._lock:
            self._held = max(0.0, self._held - charge.at_most)
            self.spent += cost

    def settle_unknown(self, charge: Charge) -> None:
        """Settle a request whose answer was lost (it may have been billed): at its most."""
        with self._lock:
            self._held = max(0.0, self._held - charge.at_most)
            self.spent += charge.at_most
