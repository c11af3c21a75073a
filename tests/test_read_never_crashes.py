"""Whatever bytes a file holds, reading it gives accounts or an InputError, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followaudit.errors import InputError
from followaudit.formats import read_accounts

GOOD = json.dumps(
    {
        "id": "1",
        "username": "demo_a",
        "description": "hi",
        "created_at": "2019-01-01T00:00:00.000Z",
        "public_metrics": {"followers_count": 1, "following_count": 2, "post_count": 3},
    }
).encode()
CSV = b"posts,followers,following,created_at,default_avatar\n1,2,3,2020-01-01,true\n"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "data",
                    "public_metrics",
                    "post_count",
                    "followers_count",
                    "id",
                    "did",
                    "handle",
                    "acct",
                    "note",
                    "followersCount",
                    "created_at",
                ]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=10,
)


def attempt(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "input"
    path.write_bytes(data)
    try:
        result = read_accounts(path)
    except InputError as error:
        assert str(error).startswith(str(path))  # noqa: PT017 - any outcome but a crash is fine
    else:
        assert len(result.table) > 0


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(cut=st.integers(min_value=0, max_value=len(GOOD) * 2 + 2), noise=st.binary(max_size=8))
def test_cut_and_spliced_jsonl(tmp_path: Path, cut: int, noise: bytes) -> None:
    data = GOOD + b"\n" + GOOD + b"\n"
    attempt(tmp_path, data[:cut] + noise + data[cut:])


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(cut=st.integers(min_value=0, max_value=len(CSV)), noise=st.binary(max_size=8))
def test_cut_and_spliced_csv(tmp_path: Path, cut: int, noise: bytes) -> None:
    attempt(tmp_path, CSV[:cut] + noise + CSV[cut:])


@settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(value=json_values, pretty=st.booleans())
def test_arbitrary_json_values(tmp_path: Path, value: object, pretty: bool) -> None:
    attempt(tmp_path, json.dumps(value, indent=2 if pretty else None).encode())
