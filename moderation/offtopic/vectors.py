"""Word vectors for off-topic judgement: the navec model that the natasha package ships inside itself."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from moderation.offtopic.judge import Vector


@lru_cache(maxsize=1)
def shared_embedding() -> Any:
    """natasha's news embedding (navec), loaded once: the name recogniser and off-topic share ~100 MB."""
    from natasha import NewsEmbedding

    return NewsEmbedding()


class NavecVectors:
    """Unit-length navec vectors by lemma, cached: a comment stream repeats its words."""

    def __init__(self, navec: Any) -> None:
        self._navec = navec
        self.vector = lru_cache(maxsize=65_536)(self._vector)

    @classmethod
    def load_shipped(cls) -> NavecVectors:
        return cls(shared_embedding())

    def _vector(self, lemma: str) -> Vector | None:
        if lemma not in self._navec:
            return None
        v = np.asarray(self._navec[lemma], dtype=np.float32)
        norm = float(np.linalg.norm(v))
        return v / norm if norm else None
