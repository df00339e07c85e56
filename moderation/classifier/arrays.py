"""Saving and loading a classifier as plain arrays: a model file can never run code when it is loaded.

Pickle, joblib and skops-with-unchecked-types all rebuild Python objects named by the file, so whoever can
swap the model file can run code on the moderation server. Here the file is one ``.npz`` archive of numeric
arrays plus a JSON document stored as bytes; it is read with ``np.load(allow_pickle=False)``, which refuses
object arrays, and every array's name, dtype and shape is checked before a ``Classifier`` is built from it.

Loaders take bytes or a binary file object, never a path: only the composition root opens files.
"""

from __future__ import annotations

import io
import json
from typing import IO, Any

import numpy as np

from moderation.classifier.model import Classifier, FeatureSpace
from moderation.types import Ground

FORMAT = "dozor-classifier"
FORMAT_VERSION = 1
_ARRAYS = {"meta", "idf", "coef", "intercept", "platt"}


class ModelFormatError(ValueError):
    """The bytes are not a model this version can read; nothing from them was executed."""


def dump(classifier: Classifier, out: IO[bytes]) -> None:
    """Write the model to a binary file object (compressed .npz)."""
    document = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "grounds": [g.value for g in classifier.grounds],
        "words": list(classifier.space.words),
        "chars": list(classifier.space.chars),
        "meta": classifier.meta,
    }
    encoded = json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")
    np.savez_compressed(
        out,
        meta=np.frombuffer(encoded, dtype=np.uint8),
        idf=classifier.space.idf.astype(np.float64),
        coef=classifier.coef.astype(np.float32),
        intercept=classifier.intercept.astype(np.float64),
        platt=classifier.platt.astype(np.float64),
    )


def dumps(classifier: Classifier) -> bytes:
    buffer = io.BytesIO()
    dump(classifier, buffer)
    return buffer.getvalue()


def load(source: bytes | IO[bytes]) -> Classifier:
    """Read a model written by ``dump``. Raises ModelFormatError on anything unexpected."""
    stream = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    try:
        loaded = np.load(stream, allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise ModelFormatError("model file is a bare array, not an archive")
        with loaded as archive:
            if set(archive.files) != _ARRAYS:
                raise ModelFormatError(f"unexpected arrays in model file: {sorted(archive.files)}")
            arrays = {name: archive[name] for name in _ARRAYS}
    except (ValueError, OSError, EOFError) as exc:
        if isinstance(exc, ModelFormatError):
            raise
        raise ModelFormatError(f"not a readable model file: {exc}") from exc
    document = _document(arrays.pop("meta"))
    return _build(document, arrays)


def _document(meta: np.ndarray[Any, Any]) -> dict[str, Any]:
    if meta.dtype != np.uint8 or meta.ndim != 1:
        raise ModelFormatError("model metadata is not a byte string")
    try:
        document = json.loads(meta.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFormatError(f"model metadata is not JSON: {exc}") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ModelFormatError("not a Dozor classifier")
    if document.get("version") != FORMAT_VERSION:
        raise ModelFormatError(f"model format version {document.get('version')} is not {FORMAT_VERSION}")
    return document


def _build(document: dict[str, Any], arrays: dict[str, np.ndarray[Any, Any]]) -> Classifier:
    expected = {"idf": np.float64, "coef": np.float32, "intercept": np.float64, "platt": np.float64}
    for name, dtype in expected.items():
        if arrays[name].dtype != dtype:
            raise ModelFormatError(f"array {name} has dtype {arrays[name].dtype}, expected {np.dtype(dtype)}")
    words, chars = _strings(document.get("words")), _strings(document.get("chars"))
    try:
        grounds = tuple(Ground(g) for g in document["grounds"])
        space = FeatureSpace(words, chars, arrays["idf"])
        return Classifier(
            space,
            grounds,
            arrays["coef"],
            arrays["intercept"],
            arrays["platt"],
            dict(document.get("meta") or {}),
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise ModelFormatError(f"inconsistent model file: {exc}") from exc


def _strings(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ModelFormatError("vocabularies must be lists of strings")
    return tuple(value)
