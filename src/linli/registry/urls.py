"""Registry pages: browsing the hierarchy (views.py)."""

app_name = "registry"
urlpatterns: list = []
