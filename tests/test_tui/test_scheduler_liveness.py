"""A RUNNING run's liveness with the scheduler's word: SLURM's job state decides over a silent heartbeat."""
from __future__ import annotations

from sacred_tui.data.liveness import ALIVE, DEAD, Liveness
from sacred_tui.data.queue_view import QueueView, scheduler_liveness

SILENT = Liveness(DEAD, "no heartbeat for 5 min", "5 min")
EXITED = Liveness(DEAD, "process 123 has exited", "exited")
BUSY = Liveness(ALIVE, "")


def job(state: str, final: bool = False, gone: bool = False) -> QueueView:
    return QueueView(target="slurm", job_id="42", job_state=state, job_final=final, job_gone=gone, node="gpu7")


def test_a_job_that_still_runs_keeps_a_silent_run_alive_and_says_both() -> None:
    judged = scheduler_liveness(SILENT, job("RUNNING"))
    assert judged == Liveness(ALIVE, "no heartbeat for 5 min; SLURM job 42 RUNNING on gpu7")


def test_a_job_that_ended_makes_the_run_dead_with_slurms_state() -> None:
    assert scheduler_liveness(BUSY, job("TIMEOUT", final=True)) == Liveness(
        DEAD, "SLURM job 42 ended TIMEOUT", "job timeout")
    assert scheduler_liveness(BUSY, job("RUNNING", final=True, gone=True)).reason == (
        "SLURM job 42 is no longer listed by SLURM")


def test_a_process_seen_gone_on_this_host_stays_dead_while_the_job_winds_down() -> None:
    assert scheduler_liveness(EXITED, job("COMPLETING")) == EXITED


def test_a_live_run_names_its_job_and_a_run_without_a_job_is_unchanged() -> None:
    assert scheduler_liveness(BUSY, job("RUNNING")) == Liveness(ALIVE, "SLURM job 42 RUNNING on gpu7")
    assert scheduler_liveness(SILENT, None) == SILENT
    assert scheduler_liveness(Liveness(""), job("RUNNING")) == Liveness("")
