"""Every address of the desk.  ``/a/`` and ``/o/`` carry a secret; no other address does."""

from django.urls import path

from gaidocx.desk import views

SUFFIX = "<str:kind>"

urlpatterns = [
    path("healthz", views.healthz),
    path("a/<str:secret>", views.enter_agency),
    path("o/<str:secret>", views.enter_office),
    path("agency/", views.agency_page),
    path("agency/upload", views.agency_upload),
    path("agency/workbook", views.agency_workbook),
    path(f"agency/uploads/<int:upload_id>/{SUFFIX}", views.agency_file),
    path("office/", views.office_page),
    path("office/agencies", views.office_add),
    path("office/agencies/<int:agency_id>/", views.office_agency),
    path("office/agencies/<int:agency_id>/link", views.office_link),
    path("office/agencies/<int:agency_id>/revoke", views.office_revoke),
    path("office/uploads/<int:upload_id>/decide", views.office_decide),
    path(f"office/uploads/<int:upload_id>/{SUFFIX}", views.office_file),
    path("office/exports/<str:kind>", views.office_export),
    path("office/exports/<int:export_id>/file", views.office_export_file),
    path("office/log", views.office_log),
    path("static/desk.css", views.stylesheet),
]
