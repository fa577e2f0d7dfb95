from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "gaidocx.desk"
    label = "desk"
    verbose_name = "政府信息公开年度报告收集台"
    default_auto_field = "django.db.models.BigAutoField"
