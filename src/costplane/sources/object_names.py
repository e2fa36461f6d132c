"""Kubernetes object names, checked where objects are read from files.

A name or namespace read from a manifest ends up in file paths (GitOps patches), in
queries and in reports, so one that Kubernetes itself would refuse (`../../tmp/x`, a
newline, 300 characters) is refused here, exit 2, naming the file. The rules are the
API server's: a namespace is an RFC 1123 DNS label (at most 63 characters of
`a-z0-9-`, starting and ending alphanumeric); most names are DNS subdomains (at most
253 characters, such labels joined by dots); RBAC objects take path-segment names
(anything but `/`, `%`, `.` and `..`, as `system:controller:...` is); a kind is a
CamelCase word.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from costplane.errors import InputError

DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
DNS_LABEL_MAX = 63
DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
DNS_SUBDOMAIN_MAX = 253
KIND = re.compile(r"[A-Za-z][A-Za-z0-9]*")
KIND_MAX = 63

LABEL_NAMED = frozenset({"Namespace", "Service"})
"""Kinds whose own name is a DNS label, not a subdomain."""
PATH_SEGMENT_NAMED = frozenset({"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"})
"""Kinds whose name is a path segment (`system:controller:job-controller`)."""


def check_object_names(obj: Mapping[str, Any], where: str) -> None:
    """Refuse an object whose kind, metadata.name or metadata.namespace Kubernetes would
    refuse; `where` (the file, the item) starts the message. A missing or non-text field is
    left to the reader that needs it."""
    kind = obj.get("kind")
    if isinstance(kind, str) and (len(kind) > KIND_MAX or not KIND.fullmatch(kind)):
        raise InputError(f"{where}: kind {_quoted(kind)}: not a Kubernetes kind (a CamelCase word)")
    metadata = obj.get("metadata")
    if not isinstance(metadata, Mapping):
        return
    namespace = metadata.get("namespace")
    if isinstance(namespace, str) and namespace and not is_dns_label(namespace):
        raise InputError(
            f"{where}: metadata.namespace {_quoted(namespace)}: not a valid namespace "
            f"(an RFC 1123 DNS label: at most {DNS_LABEL_MAX} of a-z, 0-9 and '-', "
            "alphanumeric at both ends)"
        )
    name = metadata.get("name")
    if isinstance(name, str) and name:
        problem = name_problem(kind if isinstance(kind, str) else "", name)
        if problem:
            raise InputError(f"{where}: metadata.name {_quoted(name)}: {problem}")


def is_dns_label(text: str) -> bool:
    return len(text) <= DNS_LABEL_MAX and DNS_LABEL.fullmatch(text) is not None


def name_problem(kind: str, name: str) -> str:
    """Why `name` is not a valid name for an object of `kind`; "" when it is."""
    if kind in PATH_SEGMENT_NAMED:
        if name in (".", "..") or "/" in name or "%" in name or not name.isprintable():
            return "not a valid name (a path segment: no '/', '%', '.' or '..')"
        return ""
    if kind in LABEL_NAMED:
        if is_dns_label(name):
            return ""
        return (
            f"not a valid {kind} name (an RFC 1123 DNS label: at most {DNS_LABEL_MAX} of "
            "a-z, 0-9 and '-', alphanumeric at both ends)"
        )
    if len(name) <= DNS_SUBDOMAIN_MAX and DNS_SUBDOMAIN.fullmatch(name):
        return ""
    return (
        f"not a valid name (an RFC 1123 DNS subdomain: at most {DNS_SUBDOMAIN_MAX} of "
        "a-z, 0-9, '-' and '.', alphanumeric at both ends)"
    )


def _quoted(text: str) -> str:
    """The text as a one-line quoted value, cut to 80 characters (a hostile name may be
    megabytes long or hold newlines)."""
    cut = text if len(text) <= 80 else text[:77] + "..."
    return repr(cut)
