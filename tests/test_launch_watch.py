"""What the instances view says of a launch it follows or looks for (tui/launch_watch.py)."""

from __future__ import annotations

from tui.api.container_models import parse_instance
from tui.launch_watch import found_launch, how_it_ended


def instance(instance_id: str, status: str, name: str = "vllm-1207-0611", created: str = "2026-12-07 14:11:00"):  # type: ignore[no-untyped-def]
    parsed = parse_instance({"id": instance_id, "instanceServiceName": name, "status": status, "createTime": created})
    assert parsed is not None
    return parsed


def test_an_instance_listed_before_the_launch_is_not_it() -> None:
    older = instance("a1", "Running")
    assert found_launch([older], "vllm-1207-0611", frozenset({"a1"})) is None
    new = instance("b2", "Deploying", created="2026-12-07 14:12:00")
    found = found_launch([new, older], "vllm-1207-0611", frozenset({"a1"}))
    assert found is not None and found[0] is new and "the launch went through" in found[1].message


def test_without_the_list_from_before_an_ended_one_is_not_taken_for_it() -> None:
    assert found_launch([instance("a1", "Terminated")], "vllm-1207-0611", None) is None
    found = found_launch([instance("a1", "Running")], "vllm-1207-0611", None)
    assert found is not None and "perhaps an earlier one of that name" in found[1].message


def test_how_a_followed_instance_ended() -> None:
    assert how_it_ended(instance("a1", "Deploying")) is None  # still on its way: nothing said yet
    failed = how_it_ended(instance("a1", "Failed"))
    assert failed is not None and failed.severity == "error" and "Failed" in failed.message
