"""A plan sheet's rows checked and kept with the batch of its file (DESIGN.md 4.6)."""

from __future__ import annotations

from opsboard.adapters.api import PlanSheet
from opsboard.config.targets import Target, plan_targets
from opsboard.storage.batch import IngestBatch
from opsboard.storage.targets import StoredTarget


def stored(target: Target) -> StoredTarget:
    """``target`` as a row of the ``targets`` table."""
    return StoredTarget(
        store=target.store,
        metric=target.metric,
        scope=target.scope,
        first_day=target.period.first.isoformat(),
        last_day=target.period.last.isoformat(),
        period=target.period.label,
        value=target.value,
        direction=target.direction,
        origin=target.origin,
    )


def add_plan(
    batch: IngestBatch, plan: PlanSheet | None, origin: str, known_stores: set[str] | None = None
) -> tuple[int, set[str]]:
    """Check ``plan`` (``RejectedInput`` with its line and cell, before anything is
    written) and keep its targets in ``batch``; (targets kept, their stores)."""
    if plan is None:
        return 0, set()
    targets = plan_targets(plan.rows, plan.columns, origin=origin, known_stores=known_stores)
    batch.add_targets([stored(t) for t in targets])
    return len(targets), {t.store for t in targets}
