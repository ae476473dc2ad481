"""The review as JSON-ready data: every figure, the computed changes, and the notes."""

from __future__ import annotations

from typing import Any

from opsboard.review.model import Move, Review, SourceNote


def to_data(review: Review) -> dict[str, Any]:
    """The review as JSON-ready data (dates as ISO text, computed changes included)."""
    return {
        "store": review.store,
        "day": review.day.isoformat(),
        "baseline_day": review.baseline_day.isoformat(),
        "timezone": review.timezone,
        "currency": review.currency,
        "generated_at": review.generated_at.isoformat(timespec="seconds"),
        "day_has_data": review.day_has_data,
        "day_over": not review.unfinished,
        "median_weeks": review.median_weeks,
        "not_assessed": list(review.not_assessed),
        "latest_data": review.latest_data.isoformat() if review.latest_data else None,
        "summary": list(review.summary),
        "plan": list(review.plan),
        "plan_targets": list(review.plan_targets),
        "contribution": list(review.contribution),
        "headline": [
            {
                "metric": m.metric,
                "label": m.label,
                "value": m.value,
                "last_week": m.last_week,
                "vs_last_week": m.vs_last_week,
                "median": m.median,
                "median_weeks": m.median_weeks,
                "vs_median": m.vs_median,
                "status": m.status,
                "last_week_status": m.last_week_status,
            }
            for m in review.headline
        ],
        "gmv_bridge": None
        if review.bridge is None
        else {
            "baseline": review.bridge.baseline,
            "before": review.bridge.before,
            "after": review.bridge.after,
            "change": review.bridge.total,
            "method": review.bridge.method,
            "effects": [
                {"factor": e.factor, "amount": e.amount, "factor_change": e.factor_change}
                for e in review.bridge.effects
            ],
        },
        "channels": [_move(m) for m in review.channels],
        "products": {k: [_move(m) for m in v] for k, v in review.products.items()},
        "diagnoses": [
            {
                "code": d.code,
                "title": d.title,
                "subject": d.subject,
                "evidence": list(d.evidence),
                "remedy": d.remedy,
                "severity": d.severity,
                "impact": round(d.impact, 2),
                "impact_basis": d.stake,
            }
            for d in review.diagnoses
        ],
        "alerts": [
            {
                "id": a.id,
                "rule": a.rule,
                "scope": a.scope,
                "severity": a.severity,
                "state": a.state,
                "open": a.open,
                "message": a.message,
                "fired_at": a.fired_at,
                "resolved_at": a.resolved_at,
                "acknowledgements": [{"by": k.by, "at": k.at, "note": k.note} for k in a.acks],
            }
            for a in review.alerts
        ],
        "completeness": {
            "complete": review.completeness.complete,
            "missing_metrics": list(review.completeness.missing_metrics),
            "partial_metrics": list(review.completeness.partial_metrics),
            "notes": [_note(n) for n in review.completeness.notes],
            "baseline_notes": [_note(n) for n in review.completeness.baseline_notes],
            "late_notes": [_note(n) for n in review.completeness.late_notes],
            "later_notes": [_note(n) for n in review.completeness.later_notes],
            "unfinished": review.completeness.unfinished,
        },
        "cannot_tell": list(review.cannot_tell),
        "budget": review.budget,
        "hourly_spend": [
            {"hour": h.hour, "spend": h.spend, "cumulative": h.cumulative}
            for h in review.hourly_spend
        ],
    }


def _note(note: SourceNote) -> dict[str, Any]:
    return {
        "source": note.source,
        "kind": note.kind,
        "detail": note.detail,
        "metrics": list(note.metrics),
    }


def _move(move: Move) -> dict[str, Any]:
    return {
        "key": move.key,
        "name": move.name or None,
        "metric": move.metric,
        "before": move.before,
        "after": move.after,
        "change": move.delta,
        "share_of_side": move.share,
    }
