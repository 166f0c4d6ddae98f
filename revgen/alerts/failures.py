"""The notifiers every revgen DAG uses: a failing task (on_failure_callback) and a nightly run past
its deadline (a DeadlineAlert's callback, run by the executor). Each says which DAG, run and task
or deadline, by the same channels as the orphan alerts. They never raise."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def _send(subject: str, body: str) -> None:
    """Send by every configured channel (email, webhook), or log that none is configured."""
    from revgen.alerts.channels import channels_from_airflow, send

    channels = channels_from_airflow()
    if channels.configured:
        send(channels, subject, body)
    else:
        log.warning("%s (no alert channel configured)", subject)


def notify_failure(context) -> None:
    try:
        ti = context["ti"]
        error = context.get("exception")
        _send(
            f"revgen: {ti.dag_id} failed at {ti.task_id}",
            f"Run {context.get('run_id')}: task {ti.task_id} failed (try {ti.try_number}).\n"
            f"Error: {str(error)[:2000] if error else 'unknown'}\n"
            "See the task log in Airflow; a retry resumes from saved watermarks.",
        )
    except Exception:  # a notifier must not hide the failure it reports
        log.exception("could not send the failure alert")


def notify_deadline_missed(context: dict | None = None, **_: object) -> None:
    """A run has not finished by its deadline (revgen.orchestration.nightly_deadline)."""
    try:
        run = (context or {}).get("dag_run") or {}
        deadline = (context or {}).get("deadline") or {}
        dag_id = run.get("dag_id", "a revgen DAG")
        _send(
            f"revgen: {dag_id} missed its deadline",
            f"Run {run.get('dag_run_id') or run.get('run_id')} (data interval "
            f"{run.get('data_interval_start')} to {run.get('data_interval_end')}) had not "
            f"finished by {deadline.get('deadline_time')}; it is {run.get('state')}.\n"
            "See the run in Airflow: a task may be stuck, queued behind the dbt pool, or slow.",
        )
    except Exception:  # a notifier must not raise into the executor
        log.exception("could not send the deadline alert")
