"""The scoring model, its evaluator, and its plain-JSON file format.

A model is an ensemble of binary decision trees whose leaf values add up to
a log-odds score; P(questionable) is the logistic of that sum. It is stored
as JSON and loaded with an explicit schema check: nothing is unpickled or
evaluated, so a model file can only ever describe trees.

File format (version 1)::

    {
      "format": "followaudit-model",
      "version": 1,
      "features": ["posts", ...],          # must equal features.FEATURE_COLUMNS
      "threshold": 0.5,                    # P(questionable) at/above which we say so
      "base_score": -0.25,                 # log-odds before any tree
      "trees": [
        {"feature": [3, -1, ...],          # split feature index, -1 for a leaf
         "threshold": [12.5, 0.0, ...],    # go left when value <= threshold
         "missing_left": [1, 0, ...],      # where an unknown (NaN) value goes
         "left": [1, -1, ...],             # child indices, -1 for a leaf;
         "right": [2, -1, ...],            #   always greater than the parent's
         "value": [0.1, -0.4, ...]}        # leaf: its score; split: mean score below it
      ],
      "metadata": {...},                   # provenance, free-form JSON, except
                                           #   "quantification": the counts the share
                                           #   is corrected with (checked on load,
                                           #   quantify.read_quantification)
      "sha256": "..."                      # of the canonical JSON of all other keys
    }

A split node's ``value`` is the training-sample-weighted mean of the leaf
values beneath it. It does not change predictions; it is what lets
``Model.contributions`` credit each split on an account's path with the
change in expected score (the Saabas method), so the reasons shown for an
account add up exactly to its score.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from followaudit.errors import ModelError, nested_deeper_than
from followaudit.filesystem import write_atomic
from followaudit.model.features import FEATURE_COLUMNS
from followaudit.model.quantify import read_quantification

FORMAT_NAME = "followaudit-model"
FORMAT_VERSION = 1
SHIPPED_MODEL = Path(__file__).resolve().parent / "model.json"

# Rows scored at once: small enough for a chunk's work arrays to stay in the CPU cache.
CHUNK_ROWS = 32_768
# Hard limits keep a hostile file from asking for unbounded memory or time.
MAX_TREES = 5_000
MAX_LEAVES_PER_TREE = 64
MAX_NODES_PER_TREE = 2 * MAX_LEAVES_PER_TREE - 1
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_METADATA_DEPTH = 32

TREE_KEYS: tuple[str, ...] = ("feature", "threshold", "missing_left", "left", "right", "value")


@dataclass(frozen=True)
class Tree:
    """One decision tree as parallel node arrays (node 0 is the root)."""

    feature: np.ndarray  # int64, -1 for leaves
    threshold: np.ndarray  # float64
    missing_left: np.ndarray  # bool
    left: np.ndarray  # int64, -1 for leaves
    right: np.ndarray  # int64, -1 for leaves
    value: np.ndarray  # float64

    def to_json(self) -> dict[str, list[Any]]:
        """Return the tree as JSON-ready lists."""
        return {
            "feature": [int(v) for v in self.feature],
            "threshold": [float(v) for v in self.threshold],
            "missing_left": [int(bool(v)) for v in self.missing_left],
            "left": [int(v) for v in self.left],
            "right": [int(v) for v in self.right],
            "value": [float(v) for v in self.value],
        }


@dataclass
class Model:
    """A tree ensemble that scores feature rows as P(questionable)."""

    features: tuple[str, ...]
    threshold: float
    base_score: float
    trees: tuple[Tree, ...]
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._compile()

    def _compile(self) -> None:
        """Prepare every tree for bitmask evaluation (see ``_CompiledTree``)."""
        self._compiled = tuple(_CompiledTree(tree) for tree in self.trees)
        self._bias = float(self.base_score + sum(float(t.value[0]) for t in self.trees))

    @property
    def expected_log_odds(self) -> float:
        """Return the score of an average training account: where contributions start from."""
        return self._bias

    def _matrix(self, features: pd.DataFrame) -> np.ndarray:
        """Return the feature columns in model order, one row per feature (float64)."""
        missing = [name for name in self.features if name not in features.columns]
        if missing:
            raise ValueError(f"feature columns missing: {', '.join(missing)}")
        matrix = features.loc[:, list(self.features)].to_numpy(dtype=np.float64, na_value=np.nan)
        return np.ascontiguousarray(matrix.T)

    def _score(self, columns: np.ndarray, contributions: np.ndarray | None) -> np.ndarray:
        """Return log-odds for a chunk of feature columns; add credits into ``contributions``.

        ``columns`` is (n_features, n_rows); ``contributions`` likewise.
        """
        raw = np.full(columns.shape[1], self.base_score, dtype=np.float64)
        # Trees are added in order, as scikit-learn does, so sums match it exactly.
        for tree in self._compiled:
            key = tree.keys(columns)
            raw += tree.value_table[key]
            if contributions is not None:
                for feature, table in tree.credit_tables:
                    contributions[feature] += table[key]
        return raw

    def _chunks(
        self, features: pd.DataFrame, with_contributions: bool
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Return (log-odds, contributions or None), scoring bounded chunks on a few threads."""
        columns = self._matrix(features)
        n = columns.shape[1]
        raw = np.empty(n, dtype=np.float64)
        credits = np.zeros(columns.shape, dtype=np.float64) if with_contributions else None

        def run(start: int) -> None:
            stop = min(start + CHUNK_ROWS, n)
            part = None if credits is None else credits[:, start:stop]
            raw[start:stop] = self._score(columns[:, start:stop], part)

        starts = range(0, n, CHUNK_ROWS)
        if n > CHUNK_ROWS:
            # numpy releases the GIL inside its loops, so chunks do run in parallel.
            with ThreadPoolExecutor(max_workers=_workers()) as pool:
                list(pool.map(run, starts))
        else:
            for start in starts:
                run(start)
        return raw, None if credits is None else np.ascontiguousarray(credits.T)

    def log_odds(self, features: pd.DataFrame) -> np.ndarray:
        """Return each row's score in log-odds of being questionable."""
        return self._chunks(features, False)[0]

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        """Return P(questionable) for each row of ``features`` (columns named as ``features``)."""
        return _logistic(self.log_odds(features))

    def contributions(self, features: pd.DataFrame) -> np.ndarray:
        """Return (n_rows, n_features) per-feature contributions in log-odds.

        Positive pushes towards questionable. Along each tree's decision path,
        the change in expected score at every split is credited to the split's
        feature (Saabas). Each row sums to ``log_odds(row) - expected_log_odds``.
        """
        credits = self._chunks(features, True)[1]
        assert credits is not None
        return credits

    def predict_with_contributions(self, features: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Return (P(questionable), contributions) in one pass over the trees."""
        raw, credits = self._chunks(features, True)
        assert credits is not None
        return _logistic(raw), credits

    def to_json(self) -> dict[str, Any]:
        """Return the model as a JSON-ready dict, checksum included."""
        body: dict[str, Any] = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "features": list(self.features),
            "threshold": float(self.threshold),
            "base_score": float(self.base_score),
            "trees": [tree.to_json() for tree in self.trees],
            "metadata": self.metadata,
        }
        body["sha256"] = _checksum(body)
        return body


def _logistic(raw: np.ndarray) -> np.ndarray:
    """Return 1 / (1 + exp(-raw)) without overflow warnings."""
    with np.errstate(over="ignore"):
        result: np.ndarray = 1.0 / (1.0 + np.exp(-raw))
    return result


def _workers() -> int:
    """Return how many threads to score with: the CPUs this process may use, at most 4."""
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        available = os.cpu_count() or 1
    return max(1, min(4, available))


# Index of the lowest set bit of every byte (0 never occurs: one leaf always remains).
_LOWEST_BIT_8 = np.array([(v & -v).bit_length() - 1 if v else 0 for v in range(256)], np.intp)


class _CompiledTree:
    """A tree prepared for evaluation by leaf bitmasks (the QuickScorer method).

    Leaves are numbered left to right and each row holds a bitmask of the
    leaves still possible. Every split whose test sends a row right removes
    the leaves of its left subtree; the row's exit leaf is then the leftmost
    leaf left. This visits each split once per row in a few vectorised
    operations instead of walking node by node. Trees have at most
    ``MAX_LEAVES_PER_TREE`` leaves so a mask fits one machine word.
    """

    def __init__(self, tree: Tree) -> None:
        n = len(tree.feature)
        is_leaf = tree.feature < 0
        leaf_nodes = _leaves_left_to_right(tree)
        n_leaves = len(leaf_nodes)
        self.small = n_leaves <= 8
        self.dtype = np.uint8 if self.small else np.uint64
        subtree = [0] * n
        for bit, node in enumerate(leaf_nodes):
            subtree[node] = 1 << bit
        for node in range(n - 1, -1, -1):
            if not is_leaf[node]:
                subtree[node] = subtree[int(tree.left[node])] | subtree[int(tree.right[node])]
        width = 8 if self.small else 64
        self.full = self.dtype((1 << width) - 1)
        # Per split: (feature, threshold, NaN goes left, bits of the leaves left of it).
        self.splits = [
            (
                int(tree.feature[node]),
                float(tree.threshold[node]),
                bool(tree.missing_left[node]),
                self.dtype(subtree[int(tree.left[node])]),
            )
            for node in range(n)
            if not is_leaf[node]
        ]
        leaf_value = np.array([tree.value[node] for node in leaf_nodes], dtype=np.float64)
        # Saabas credits of every leaf's path, kept only for the features the tree uses.
        parent = np.full(n, -1, dtype=np.int64)
        for node in range(n):
            if not is_leaf[node]:
                parent[tree.left[node]] = node
                parent[tree.right[node]] = node
        credit: dict[int, np.ndarray] = {}
        for index, node in enumerate(leaf_nodes):
            child = node
            while parent[child] >= 0:
                above = int(parent[child])
                feature = int(tree.feature[above])
                if feature not in credit:
                    credit[feature] = np.zeros(n_leaves, dtype=np.float64)
                credit[feature][index] += tree.value[child] - tree.value[above]
                child = above
        if self.small:
            # Index the tables by the whole 8-bit mask, saving the leaf-number step.
            leaf_value = leaf_value[_LOWEST_BIT_8 % n_leaves]
            credit = {f: table[_LOWEST_BIT_8 % n_leaves] for f, table in credit.items()}
        self.value_table = leaf_value
        self.credit_tables = sorted(credit.items())

    def keys(self, columns: np.ndarray) -> np.ndarray:
        """Return each row's table key for (n_features, n_rows) columns.

        The key indexes ``value_table`` and ``credit_tables``: the leaf bitmask
        itself for trees of up to 8 leaves, else the exit leaf's number.
        """
        mask: Any = np.full(columns.shape[1], self.full, dtype=self.dtype)
        full = self.full
        for feature, threshold, missing_left, left_bits in self.splits:
            values = columns[feature]
            # Rows going right lose the left subtree's leaves. NaN compares False, so
            # "values > threshold" sends it left and "values <= threshold" sends it right.
            if missing_left:
                keep = (
                    full
                    - (values > threshold).view(np.uint8).astype(self.dtype, copy=False) * left_bits
                )
            else:
                keep = (full - left_bits) + (values <= threshold).view(np.uint8).astype(
                    self.dtype, copy=False
                ) * left_bits
            mask &= keep
        if self.small:
            key: np.ndarray = mask.astype(np.intp)
            return key
        lowest = mask & (~mask + np.uint64(1))
        leaf: np.ndarray = np.log2(lowest.astype(np.float64)).astype(np.intp)
        return leaf


def _leaves_left_to_right(tree: Tree) -> list[int]:
    """Return the tree's leaf node indices in left-to-right order."""
    order: list[int] = []
    stack = [0]
    while stack:
        node = stack.pop()
        if tree.feature[node] < 0:
            order.append(node)
        else:
            stack.append(int(tree.right[node]))
            stack.append(int(tree.left[node]))
    return order


def _canonical(body: dict[str, Any]) -> bytes:
    """Return the canonical JSON bytes the checksum covers (sorted keys, no spaces)."""
    return json.dumps(
        body, sort_keys=True, separators=(",", ":"), allow_nan=False, ensure_ascii=True
    ).encode("ascii")


def _checksum(body: dict[str, Any]) -> str:
    """Return the SHA-256 of every key of ``body`` except "sha256"."""
    return hashlib.sha256(_canonical({k: v for k, v in body.items() if k != "sha256"})).hexdigest()


def save_model(model: Model, path: Path) -> None:
    """Write ``model`` to ``path`` as checksummed JSON (one tree per line, stable bytes)."""
    body = model.to_json()
    lines = ["{"]
    for key in ("format", "version", "features", "threshold", "base_score", "metadata"):
        lines.append(
            f"  {json.dumps(key)}: {json.dumps(body[key], sort_keys=True, allow_nan=False)},"
        )
    lines.append('  "trees": [')
    trees = [json.dumps(t, sort_keys=True, allow_nan=False) for t in body["trees"]]
    lines.append(",\n".join(f"    {t}" for t in trees))
    lines.append("  ],")
    lines.append(f'  "sha256": {json.dumps(body["sha256"])}')
    lines.append("}")
    # Written beside the target and renamed, so a failure never leaves the
    # model that scoring loads half-written.
    write_atomic(Path(path), "\n".join(lines) + "\n", encoding="ascii")


def load_model(path: Path | None = None) -> Model:
    """Return the model stored at ``path`` (None: the model shipped with followaudit).

    Raises ModelError, with one sentence, for a missing, unreadable, foreign,
    tampered or malformed file. Nothing in the file is ever executed.
    """
    where = Path(path) if path is not None else SHIPPED_MODEL
    try:
        raw = _read_regular_file(where)
    except FileNotFoundError:
        raise ModelError(f"The model file {where} does not exist.") from None
    except IsADirectoryError:
        raise ModelError(f"The model file {where} is a directory, not a file.") from None
    except OSError as error:
        raise ModelError(f"The model file {where} cannot be read: {error.strerror}.") from None
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError, RecursionError):
        raise ModelError(
            f"The model file {where} is not valid JSON (truncated or corrupted?)."
        ) from None
    return model_from_json(body, where)


def _read_regular_file(where: Path) -> bytes:
    """Return the bytes of a regular file of at most MAX_FILE_BYTES; ModelError otherwise.

    Opened without blocking and checked before reading: a FIFO with no writer
    would wait for ever, and a device (/dev/zero) has no end and says its size
    is 0, so the size is checked by reading no more than the limit allows.
    """
    descriptor = os.open(where, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        kind = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(kind):
            raise IsADirectoryError(21, "Is a directory")
        if not stat.S_ISREG(kind):
            raise ModelError(
                f"The model file {where} is not a regular file (a FIFO, a device or a socket)."
            )
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(descriptor, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_FILE_BYTES:
            raise ModelError(f"The model file {where} is too large to be a followaudit model.")
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def _refuse_constant(name: str) -> float:
    """Refuse NaN/Infinity, which Python's json accepts but JSON does not."""
    raise ValueError(f"non-standard JSON constant {name}")


def model_from_json(body: Any, where: Path | str = "<memory>") -> Model:
    """Return the Model described by a parsed JSON document, after strict validation."""
    if not isinstance(body, dict) or body.get("format") != FORMAT_NAME:
        raise ModelError(f"The file {where} is not a followaudit model.")
    version = body.get("version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise ModelError(
            f"The model file {where} has format version {version!r}; "
            f"this followaudit reads version {FORMAT_VERSION} only."
        )
    expected_keys = {
        "format",
        "version",
        "features",
        "threshold",
        "base_score",
        "trees",
        "metadata",
        "sha256",
    }
    if set(body) != expected_keys:
        odd = sorted(set(body) ^ expected_keys)
        raise ModelError(f"The model file {where} has missing or unknown keys: {', '.join(odd)}.")
    # Before anything walks it (the checksum, an export): a model's metadata is a few levels deep.
    if nested_deeper_than(body["metadata"], MAX_METADATA_DEPTH):
        raise ModelError(
            f"The model file {where} is malformed: its metadata is nested more than "
            f"{MAX_METADATA_DEPTH} levels deep."
        )
    try:
        checksum = _checksum(body)
    except ValueError:  # a number too large for a float parses as infinity
        raise ModelError(
            f"The model file {where} is malformed: it holds a non-finite number."
        ) from None
    if not isinstance(body["sha256"], str) or body["sha256"] != checksum:
        raise ModelError(
            f"The model file {where} fails its checksum: it was modified after it was written."
        )
    try:
        return _build(body)
    except _Invalid as problem:
        raise ModelError(f"The model file {where} is malformed: {problem}.") from None


class _Invalid(Exception):
    """A structural problem in a model document (turned into a ModelError)."""


def _number(value: Any, what: str) -> float:
    """Return ``value`` as a finite float, or raise _Invalid."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _Invalid(f"{what} must be a finite number")
    return float(value)


def _int_array(values: Any, what: str) -> np.ndarray:
    """Return a list of JSON integers as an int64 array, or raise _Invalid."""
    if not isinstance(values, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in values
    ):
        raise _Invalid(f"{what} must be a list of integers")
    if any(abs(v) > MAX_NODES_PER_TREE * 10 for v in values):
        raise _Invalid(f"{what} holds an out-of-range index")
    return np.array(values, dtype=np.int64)


def _float_array(values: Any, what: str) -> np.ndarray:
    """Return a list of finite JSON numbers as a float64 array, or raise _Invalid."""
    if not isinstance(values, list) or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in values
    ):
        raise _Invalid(f"{what} must be a list of numbers")
    array = np.array(values, dtype=np.float64)
    if not np.isfinite(array).all():
        raise _Invalid(f"{what} must hold finite numbers only")
    return array


def _build(body: dict[str, Any]) -> Model:
    """Return a Model from a checksummed document, raising _Invalid on any structural fault."""
    features = body["features"]
    if not isinstance(features, list) or tuple(features) != FEATURE_COLUMNS:
        raise _Invalid("its feature list does not match this version of followaudit")
    threshold = _number(body["threshold"], "threshold")
    if not 0.0 < threshold < 1.0:
        raise _Invalid("threshold must lie strictly between 0 and 1")
    base_score = _number(body["base_score"], "base_score")
    if not isinstance(body["metadata"], dict):
        raise _Invalid("metadata must be an object")
    if "quantification" in body["metadata"]:
        # Every report corrects its share with these counts: checked here, once, so a
        # damaged section is a model error before anything is scored.
        try:
            read_quantification(body["metadata"]["quantification"])
        except ValueError as problem:
            raise _Invalid(f"quantification: {problem}") from None
    trees_json = body["trees"]
    if not isinstance(trees_json, list) or not 0 < len(trees_json) <= MAX_TREES:
        raise _Invalid(f"trees must be a list of 1 to {MAX_TREES} trees")
    trees = tuple(_build_tree(tree, index, len(features)) for index, tree in enumerate(trees_json))
    return Model(
        features=tuple(features),
        threshold=threshold,
        base_score=base_score,
        trees=trees,
        metadata=body["metadata"],
    )


def _build_tree(tree: Any, index: int, n_features: int) -> Tree:
    """Return one validated Tree; children must come after their parent, so no cycles."""
    what = f"tree {index}"
    if not isinstance(tree, dict) or set(tree) != set(TREE_KEYS):
        raise _Invalid(f"{what} must have exactly the keys {', '.join(TREE_KEYS)}")
    feature = _int_array(tree["feature"], f"{what} feature")
    left = _int_array(tree["left"], f"{what} left")
    right = _int_array(tree["right"], f"{what} right")
    missing = _int_array(tree["missing_left"], f"{what} missing_left")
    threshold = _float_array(tree["threshold"], f"{what} threshold")
    value = _float_array(tree["value"], f"{what} value")
    n = len(feature)
    if not 0 < n <= MAX_NODES_PER_TREE:
        raise _Invalid(f"{what} must have 1 to {MAX_NODES_PER_TREE} nodes")
    if any(len(a) != n for a in (left, right, missing, threshold, value)):
        raise _Invalid(f"{what} has node arrays of different lengths")
    if not np.isin(missing, (0, 1)).all():
        raise _Invalid(f"{what} missing_left must hold 0 or 1")
    leaf = feature == -1
    split = ~leaf
    if ((feature < -1) | (feature >= n_features)).any():
        raise _Invalid(f"{what} refers to a feature index out of range")
    if ((left[leaf] != -1) | (right[leaf] != -1)).any():
        raise _Invalid(f"{what} has a leaf with children")
    nodes = np.arange(n)
    if (
        (left[split] <= nodes[split]).any()
        or (right[split] <= nodes[split]).any()
        or (left[split] >= n).any()
        or (right[split] >= n).any()
    ):
        raise _Invalid(f"{what} has a child index that is out of range or not after its parent")
    if int(leaf.sum()) > MAX_LEAVES_PER_TREE:
        raise _Invalid(f"{what} has more than {MAX_LEAVES_PER_TREE} leaves")
    parents = np.bincount(np.concatenate([left[split], right[split]]), minlength=n)
    if parents[0] != 0 or (parents[1:] != 1).any():
        raise _Invalid(f"{what} has a node that is not reached exactly once from the root")
    return Tree(
        feature=feature,
        threshold=threshold,
        missing_left=missing.astype(bool),
        left=left,
        right=right,
        value=value,
    )
