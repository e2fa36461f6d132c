"""Blueprint: a tenant's environments rendered from its service class as Kubernetes
manifests (Kustomize base and overlays), and the drift of what runs from what was rendered.

The catalog says what a class entitles a tenant to; the blueprint is that entitlement as
objects a GitOps tool applies. See docs/service-classes.md.
"""

__all__: list[str] = []
