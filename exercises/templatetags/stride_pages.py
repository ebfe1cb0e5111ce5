"""Template helpers for pages that include the submission status without building its context
(e.g. a quiz's question card): ``{% feedback_for submission as feedback %}``."""

from __future__ import annotations

from django import template

from exercises import page_presenters
from exercises.models import Submission

register = template.Library()


@register.simple_tag
def feedback_for(submission: Submission) -> page_presenters.FeedbackView:
    return page_presenters.feedback_view(submission)
