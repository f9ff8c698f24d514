"""REST API for the registry (viewsets are registered on linli.core.api.router)."""
