from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "pendopo.api"
    label = "api"
