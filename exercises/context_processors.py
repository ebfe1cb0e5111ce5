from django.conf import settings


def stride(request):
    return {"DEMO_MODE": settings.DEMO_MODE}
