"""The one generic flow that drives every procedure's case.

Procedures are data, the flow is code: the chain of levels lives on the
case (``Case.chain``) and the flow loops over it. Never rename this module,
the class or its nodes once cases exist: viewflow stores their paths in
every process and task row. Add nodes instead.

    start ─► route ─┬─ amend requested ─► amend (resident) ─► route
                    ├─ final decision ──► finish
                    ├─ 合議 pending ────► consult_split ─► consult ×N ─► consult_join ─► review
                    └─ otherwise ──────► review (the chain's current level) ─► route

The start and every review hand over to whatever ``route`` would choose
without a gateway row of their own (``_past_route``): one task row per
human decision.
Levels, send-backs (差戻し) and pull-backs (引戻し) are moves of
``Case.level`` made by the services before the review task completes.
"""

from __future__ import annotations

from typing import Any

from django.utils.timezone import now
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.lock import SelectForUpdateLock
from viewflow.workflow.nodes.end import EndActivation
from viewflow.workflow.nodes.split import SplitActivation
from viewflow.workflow.nodes.start import StartHandleActivation
from viewflow.workflow.nodes.view import ViewActivation
from viewflow.workflow.signals import (
    flow_finished,
    flow_started,
    task_finished,
    task_started,
)
from viewflow.workflow.status import PROCESS
from viewflow.workflow.token import Token

from workflow.models import Case, CaseTask
from workflow.notifications import task_created


def _no_view(request: Any, **kwargs: Any) -> None:  # pragma: no cover
    # Task pages are the project's own views (workflow.views); viewflow's
    # node URLs are not mounted.
    raise NotImplementedError


# Module-level callables: viewflow resolves ``.Permission(this.x)`` never
# (pitfall 1), a plain function always.
def review_slot(activation: Activation) -> str:
    """The slot of the chain's current level."""
    return activation.process.chain[activation.process.level]["slot"]


def consult_slot(activation: Activation) -> str:
    """The slot of the consulted section, carried on the task's own data."""
    return activation.task.data["slot"]


class ConsultSplitActivation(SplitActivation):
    """One consult task per pending consultation of the current level.

    The open-source viewflow lacks ``Split(data_source=...)``; this is the
    workaround on its public base class. Each branch carries its item on
    its own ``task.data`` (branches writing ``process.data`` would overwrite
    each other).
    """

    @Activation.status.super()
    def activate(self) -> None:
        case = self.process
        items = []
        for item in case.consultations:
            if item["status"] == "pending" and item["before_level"] == case.level:
                item["status"] = "open"
                items.append(item)
        if not items:
            raise FlowRuntimeError("no consultation pending")
        case.save(update_fields=["consultations"])
        self.next_tasks = [(self.flow_task._next, item) for item in items]

    @Activation.status.super()
    def create_next(self):
        token_source = Token.split_token_source(self.task.token, self.task.pk)
        for node, item in self.next_tasks:
            yield node._create(
                prev_activation=self, token=next(token_source), data=item
            )


class ConsultSplit(flow.Split):
    """Parallel 合議: fans out over the case's pending consultations."""

    activation_class = ConsultSplitActivation

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._next = None

    def Next(self, node: Any, case: Any = None) -> ConsultSplit:
        self._next = node
        return super().Next(node, case)

    def _resolve(self, instance: Any) -> None:
        super()._resolve(instance)
        self._next = this.resolve(instance, self._next)


def _past_route(activation: Activation) -> Any:
    """The node the ``route`` gateway (the activation's next node) would pick.

    Passing through ``route`` as a task costs a row, a link row, an update
    and a savepoint for a choice that is the same function of the case
    either way, so the start and each review evaluate its branches
    themselves. ``route`` still runs as a task after an amendment.
    """
    for node, condition in activation.flow_task._next._branches:
        if condition is None or condition(activation):
            return node
    raise FlowRuntimeError("no branch of route matched")


class StartCaseActivation(StartHandleActivation):
    """Start a case inside procedures' submit transaction.

    The submission holds the application's row lock and nobody else can
    see the new case yet, so viewflow's savepoint and process lock around
    the start would buy nothing.
    """

    @Activation.status.super()
    def execute(self) -> None:
        task_started.send(sender=self.flow_class, process=self.process, task=self.task)
        self.process.save()
        self.complete()
        flow_started.send(sender=self.flow_class, process=self.process, task=self.task)
        self.activate_next()

    @Activation.status.super()
    def create_next(self):
        yield _past_route(self)._create(self, self.task.token)


class StartCase(flow.StartHandle):
    """The resident's submission opens the case."""

    activation_class = StartCaseActivation


# What claiming, deciding and finishing a review change on its row (the
# services set the rest when the task is created).
_DECIDED_FIELDS = [
    "status",
    "owner",
    "assigned",
    "started",
    "finished",
    "decision",
    "acted_by",
    "on_behalf_of",
    "comment",
    "applicant_message",
]


class ReviewActivation(ViewActivation):
    """A review hands over straight to the node ``route`` would pick, and
    saves only the columns a decision changes (viewflow saves the whole row).
    """

    @Activation.status.super()
    def complete(self) -> None:
        self.task.finished = now()
        self.task.save(update_fields=_DECIDED_FIELDS)
        task_finished.send(sender=self.flow_class, process=self.process, task=self.task)

    @Activation.status.super()
    def create_next(self):
        yield _past_route(self)._create(self, self.task.token)


class Review(flow.View):
    """審査・決裁 at the chain's current level."""

    activation_class = ReviewActivation


class FinishActivation(EndActivation):
    """The case ends inside the final decision's transaction.

    viewflow's end inserts its task row, links it, opens a savepoint, counts
    the open tasks, saves the whole case row and updates the task again.
    The deciding service's transaction already holds the case's lock and
    rolls back as a whole on an error, so the savepoint buys nothing; the
    task row is written once, finished, and the case's status and finish
    time are the only columns that change.
    """

    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        task = flow_task.flow_class.task_class(
            process=prev_activation.process, flow_task=flow_task, token=token
        )
        task.data = data if data is not None else {}
        task.seed = seed
        activation = cls(task)
        activation.previous_task = prev_activation.task
        return activation

    def __hash__(self) -> int:
        # viewflow keeps activations in sets; this task has no id until complete().
        return id(self)

    @Activation.status.super()
    def activate(self) -> None:
        self.task.started = now()
        task_started.send(sender=self.flow_class, process=self.process, task=self.task)
        open_tasks = CaseTask.objects.filter(
            process=self.process, finished__isnull=True
        ).count()
        if open_tasks == 0:
            self.process.status = PROCESS.DONE
            self.process.finished = now()
            self.process.save(update_fields=["status", "finished"])
        task_finished.send(sender=self.flow_class, process=self.process, task=self.task)
        if open_tasks == 0:
            flow_finished.send(
                sender=self.flow_class, process=self.process, task=self.task
            )

    @Activation.status.super()
    def complete(self) -> None:
        super().complete.original()
        self.task.previous.add(self.previous_task)


class Finish(flow.End):
    """The end of the case: the final decision is taken."""

    activation_class = FinishActivation


def _is_amend(activation: Activation) -> bool:
    return activation.process.decision == "amend"


def _is_final(activation: Activation) -> bool:
    return activation.process.decision in ("final_approve", "reject")


def _has_consultation(activation: Activation) -> bool:
    return activation.process.has_pending_consultation


class CaseFlow(flow.Flow):
    """審査・決裁

    Reviews an application level by level along the chain its route gave it.
    """

    process_class = Case
    task_class = CaseTask
    # Blocking row lock: PostgreSQL's lock_timeout (settings) bounds the wait
    # and the services turn a time-out into a friendly message. One attempt:
    # retrying inside a request only makes the user wait longer.
    lock_impl = SelectForUpdateLock(nowait=False, attempts=1)

    start = StartCase(this.start_case).Next(this.route)
    route = (
        flow.Switch()
        .Case(this.amend, _is_amend)
        .Case(this.finish, _is_final)
        .Case(this.consult_split, _has_consultation)
        .Default(this.review)
    )
    consult_split = ConsultSplit().Next(this.consult)
    consult = (
        flow.View(_no_view)
        .Permission(consult_slot)
        .onCreate(this.task_arrived)
        .Next(this.consult_join)
    )
    consult_join = flow.Join().Next(this.review)
    review = (
        Review(_no_view)
        .Permission(review_slot)
        .onCreate(this.task_arrived)
        .Next(this.route)
    )
    amend = flow.Handle(this.resubmitted).Next(this.route)
    finish = Finish()

    def start_case(
        self, activation: Activation, *, application: Any, plan: Any
    ) -> Case:
        """Attach the application and its chain to the new process."""
        case = activation.process
        case.application = application
        case.procedure_id = application.procedure_version.procedure_id
        case.due_date = application.due_date
        case.chain = plan.chain
        case.consultations = plan.consultations
        case.top_level = plan.top_level
        case.slots = plan.slots
        return case

    def task_arrived(self, activation: Activation) -> None:
        """A task for a post: its holders and section hear of it (issue 15)."""
        task_created(activation.task)

    def resubmitted(self, activation: Activation, *, plan: Any) -> None:
        """The resident resubmitted: a fresh chain, from the first level again."""
        case = activation.process
        case.chain = plan.chain
        case.consultations = plan.consultations
        case.top_level = plan.top_level
        case.slots = sorted(set(case.slots) | set(plan.slots))
        case.level = 0
        case.decision = "resubmitted"
        case.save(
            update_fields=[
                "chain",
                "consultations",
                "top_level",
                "slots",
                "level",
                "decision",
            ]
        )


__all__ = ["CaseFlow", "CaseTask"]
