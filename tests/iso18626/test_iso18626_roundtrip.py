"""Round trips of generated messages: every message type, both versions, through our writer and reader."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from iso18626_strategies import MESSAGE_NAMES, message
from lxml import etree

import iso18626
from iso18626._xml.xsd import validator

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("version", ["1.2", "2021"])
@pytest.mark.parametrize("name", MESSAGE_NAMES)
def test_round_trip(name: str, version: str) -> None:
    @SETTINGS
    @given(message(version, name))
    def check(msg: Any) -> None:
        data = iso18626.serialize(msg, version=version)
        assert validator(version).validate(etree.fromstring(data)), validator(version).error_log
        result = iso18626.read(data)
        assert result.message == msg
        assert result.repairs == ()
        assert iso18626.serialize(result.message, version=version) == data

    check()


@pytest.mark.parametrize("version", ["1.2", "2021"])
@pytest.mark.parametrize("name", MESSAGE_NAMES)
def test_output_valid_under_official_xsd(name: str, version: str, official: dict[str, Any]) -> None:
    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(message(version, name))
    def check(msg: Any) -> None:
        doc = etree.fromstring(iso18626.serialize(msg, version=version))
        assert official[version].validate(doc), official[version].error_log

    check()


@pytest.mark.parametrize("name", MESSAGE_NAMES)
def test_v12_message_as_2021_is_valid_or_refused(name: str, official: dict[str, Any]) -> None:
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(message("1.2", name))
    def check(msg: Any) -> None:
        try:
            data = iso18626.serialize(msg, version="2021")
        except iso18626.SerializeError as err:
            assert isinstance(err, ValueError) and err.path.startswith("/ISO18626Message/")
            return
        assert official["2021"].validate(etree.fromstring(data)), official["2021"].error_log
        assert iso18626.parse(data) == msg

    check()
