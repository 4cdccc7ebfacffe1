"""Background work of the stations app (Django's Tasks API; tests run tasks inline)."""

from __future__ import annotations

from django_tasks import task


@task()
def plan_run_task(run_id: int) -> str:
    """Solve a queued planner run; the run records its stage, result or failure."""
    from .services.plans import plan_run_execute

    return plan_run_execute(run_id=run_id)
