from django.apps import AppConfig


class DeskApp(AppConfig):
    name = "gaidocx.desk"
    label = "desk"
    verbose_name = "政府信息公开年度报告收集台"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register the jobs in every process, so a worker (or a restarted server) knows each queued job.
        from gaidocx.desk import tasks  # noqa: F401
