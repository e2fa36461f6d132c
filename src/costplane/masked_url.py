"""URLs as they may be printed or logged: never with a secret in them.

One rule for every URL Costplane shows (state store, warehouse, Prometheus,
Redis, object stores): the password of the authority becomes `***` (the user
stays, to tell accounts apart), as does the value of any query parameter that
carries a secret (`?password=`, `?token=`, ...). Everything else is left as
typed, so the URL stays recognisable. A URL typed without its scheme
(`user:pw@host:6379`) shows only what follows its last `@`; an unescaped `/` in a
password cannot cut the password short, since the credentials run to the last
`@` before the query.
"""

from __future__ import annotations

from urllib.parse import unquote

SECRET_PARAMETERS = frozenset(
    [
        "password",
        "passwd",
        "pass",
        "pwd",
        "secret",
        "token",
        "access_token",
        "api_key",
        "apikey",
        "sslpassword",
        "auth",
    ]
)
"""Query parameters whose values are masked, compared without case."""


def masked_url(url: str) -> str:
    """`url` with its password and secret query parameters replaced by ***."""
    text = url.strip()
    address, mark, query = text.partition("?")
    scheme, slashes, rest = address.partition("://")
    if not slashes:
        if "@" in address:
            return "***@" + address.rsplit("@", 1)[1] + mark + _masked_query(query)
        return address + mark + _masked_query(query)
    if "@" in rest:
        credentials, _, host = rest.rpartition("@")
        user, has_password, _ = credentials.partition(":")
        rest = f"{user}:***@{host}" if has_password else f"{user}@{host}"
    return f"{scheme}://{rest}{mark}{_masked_query(query)}"


def _masked_query(query: str) -> str:
    fragment_mark = "#" if "#" in query else ""
    query, _, fragment = query.partition("#")
    pairs = []
    for pair in query.split("&") if query else []:
        key, equals, _ = pair.partition("=")
        secret = unquote(key).strip().lower() in SECRET_PARAMETERS
        pairs.append(f"{key}{equals}***" if secret and equals else pair)
    return "&".join(pairs) + fragment_mark + fragment
