"""Registry workbook pages: template download, upload, preview and confirm."""

app_name = "registry_import"
urlpatterns: list = []
