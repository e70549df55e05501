"""Background jobs of the stats app: the daily rollup."""

from __future__ import annotations

from core.background import background_task


@background_task
def rollup_recent_days() -> dict[str, int]:
    """Periodic: recompute yesterday's and today's figures from the raw rows."""
    from stats.services import rollup_recent

    return rollup_recent()
