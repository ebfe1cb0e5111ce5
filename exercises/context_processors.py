from django.conf import settings
from django.utils.functional import SimpleLazyObject

from exercises.access import is_staff_member
from exercises.submissions.grade_events import PAGE_WAIT_SECONDS


def stride(request):
    user = getattr(request, "user", None)
    return {
        "DEMO_MODE": settings.DEMO_MODE,
        "GRADE_WAIT_SECONDS": PAGE_WAIT_SECONDS,
        # Lazy: one query only on pages whose navigation asks.
        "STAFF_MEMBER": SimpleLazyObject(lambda: bool(user and is_staff_member(user))),
    }
