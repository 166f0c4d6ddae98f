"""The one failure notifier every revgen DAG uses (on_failure_callback): says which DAG, run and
task failed and why, by the same channels as the orphan alerts. It never raises."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def notify_failure(context) -> None:
    try:
        from revgen.alerts.channels import channels_from_airflow, send

        ti = context["ti"]
        error = context.get("exception")
        subject = f"revgen: {ti.dag_id} failed at {ti.task_id}"
        body = (
            f"Run {context.get('run_id')}: task {ti.task_id} failed (try {ti.try_number}).\n"
            f"Error: {str(error)[:2000] if error else 'unknown'}\n"
            "See the task log in Airflow; a retry resumes from saved watermarks."
        )
        channels = channels_from_airflow()
        if channels.configured:
            send(channels, subject, body)
        else:
            log.warning("%s (no alert channel configured)", subject)
    except Exception:  # a notifier must not hide the failure it reports
        log.exception("could not send the failure alert")
