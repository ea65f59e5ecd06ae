from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from pendopo.aid.api import router as aid_router
from pendopo.core.api import router as core_router
from pendopo.core.errors import ApplicationError, PermissionDenied
from pendopo.letters.api import router as letters_router
from pendopo.population.api import router as population_router

api = NinjaAPI(
    title="Pendopo API",
    version="1",
    description="API Pendopo untuk aplikasi lain. Autentikasi: `Authorization: Bearer TOKEN` "
    "(buat dengan `pendopo create-token USERNAME`). / Pendopo API for machine clients.",
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("/", core_router)
api.add_router("/", population_router)
api.add_router("/", aid_router)
api.add_router("/", letters_router)


@api.exception_handler(PermissionDenied)
def _denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message}, status=403)


@api.exception_handler(ApplicationError)
def _app_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message}, status=400)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail = "; ".join(exc.messages)
    errors = exc.message_dict if hasattr(exc, "error_dict") else {}
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)

