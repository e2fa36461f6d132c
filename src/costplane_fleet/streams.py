"""Deterministic randomness and identifiers, each derived from the seed and a stable name.

A stream per concern (`rng(seed, "usage", "cpu")`) means adding a draw in one
place never shifts the numbers drawn anywhere else.
"""

from __future__ import annotations

import hashlib

import numpy as np

POD_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
"""The alphabet Kubernetes uses for generated name suffixes (no vowels, no 0/1/3)."""


def _digest(parts: tuple[object, ...]) -> bytes:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()


def rng(seed: int, *names: object) -> np.random.Generator:
    """An independent generator for one named concern of one seed."""
    digest = _digest(names)
    words = [int.from_bytes(digest[i : i + 8], "little") for i in (0, 8, 16)]
    return np.random.default_rng(np.random.SeedSequence([seed, *words]))


def digest_hex(*parts: object, length: int = 32) -> str:
    return _digest(parts).hex()[:length]


def object_uid(*parts: object) -> str:
    """A UUID-shaped metadata.uid, stable for the same parts."""
    h = digest_hex("uid", *parts)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def name_suffix(length: int, *parts: object) -> str:
    """A generated-name suffix (`7d9f8b6c5d`, `x7k2p`) in Kubernetes' alphabet."""
    digest = _digest(("suffix", *parts))
    return "".join(POD_ALPHABET[b % len(POD_ALPHABET)] for b in digest[:length])
