"""The bridge between Airflow and the articles flow's steps: hooks, ledger, XCom, and the end of the run.

The Lightspeed hook keeps ``lightspeed.reserve_for_orders`` of every rate-limit window free (``Pacer``),
as the stock flow's does. A run whose AFAS read gives what the last run that found nothing to write
planned from ends in read_afas_articles (``flows.idle``, ``orchestration.idle``).
"""

from __future__ import annotations

import logging
from typing import Any

from lightspeed_afas.domain import retry_policy
from lightspeed_afas.domain.vocabulary import ARTICLE_STEPS
from lightspeed_afas.flows.articles import (
    ArticleRequest,
    ArticleSyncSettings,
    plan_articles,
    push_articles,
    read_afas_articles,
)
from lightspeed_afas.flows.articles.push_step import Written
from lightspeed_afas.flows.articles.report import ArticleRun, finish_article_run, idle_plan
from lightspeed_afas.flows.articles.results import ArticlePlan, ArticleRead
from lightspeed_afas.flows.articles.settings import FLOW, ArticlesConfigError
from lightspeed_afas.flows.clients import Hooks
from lightspeed_afas.hooks.metrics import CallStats, calls_per_api
from lightspeed_afas.ledger import Ledger
from lightspeed_afas.orchestration.idle import idle_value, summary_if_ended
from lightspeed_afas.orchestration.step_session import StepSession
from lightspeed_afas.orchestration.task_failures import ExpectedTaskFailure

log = logging.getLogger(__name__)

__all__ = ["ARTICLE_STEPS", "execute_articles"]


class ArticlesSetupError(ExpectedTaskFailure):
    """The articles block does not fit the AFAS environment; the message says what to set."""


class NewArticleFailuresError(ExpectedTaskFailure):
    """Lightspeed refused fields it had not refused before; later runs try them again."""


def execute_articles(
    step: str,
    settings: ArticleSyncSettings,
    request: ArticleRequest,
    ledger: Ledger,
    upstream: dict[str, Any],
) -> dict[str, Any]:
    """Run one articles step; ``upstream`` holds the earlier steps' XCom values by task id."""
    if step not in ARTICLE_STEPS:
        raise ValueError(f"unknown articles step {step!r}; the steps are {', '.join(ARTICLE_STEPS)}")
    ended = summary_if_ended(step, ARTICLE_STEPS[0], upstream)
    if ended is not None:
        return ended
    session = StepSession(settings, request, ledger, reserve=settings.reserve_for_orders)
    try:
        return _step(step, settings, request, ledger, session.hooks, upstream, session.stats)
    except ArticlesConfigError as exc:
        ledger.close_unfinished_flow_run(settings.tenant, FLOW, request.run_id, str(exc))
        raise ArticlesSetupError(str(exc)) from None
    finally:
        session.close()


def _step(
    step: str,
    settings: ArticleSyncSettings,
    request: ArticleRequest,
    ledger: Ledger,
    hooks: Hooks,
    upstream: dict[str, Any],
    stats: CallStats,
) -> dict[str, Any]:
    now = retry_policy.utc_now()
    if step == "read_afas_articles":
        read = read_afas_articles(settings, request, ledger, hooks, now)
        read.stats = stats.summary()
        if read.unchanged is None:
            return read.to_xcom()
        done = ArticleRun(read, idle_plan(read), Written(), calls_per_api([read.stats]))
        summary = finish_article_run(settings, request, ledger, done)
        return idle_value(
            read.to_xcom(), summary, "nothing to write (AFAS gave what the last run planned from)"
        )
    read = ArticleRead.from_xcom(upstream["read_afas_articles"])
    if step == "plan_articles":
        plan = plan_articles(settings, request, ledger, hooks, read, now)
        plan.stats = stats.summary()
        return plan.to_xcom()
    plan = ArticlePlan.from_xcom(upstream["plan_articles"])
    written = push_articles(settings, request, ledger, hooks, plan)
    calls = calls_per_api([read.stats, plan.stats, stats.summary()])
    summary = finish_article_run(settings, request, ledger, ArticleRun(read, plan, written, calls))
    if summary["new_failures"] and not request.dry_run:
        raise NewArticleFailuresError(
            f"Lightspeed refused {len(summary['new_failures'])} new field write(s) (listed above and in the "
            f"ledger: python -m lightspeed_afas log {settings.tenant} --flow articles). Later runs try them "
            "again; fix the cause in AFAS or the shop."
        )
    return summary
