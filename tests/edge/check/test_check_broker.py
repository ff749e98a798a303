"""The broker line of `edge check` against mosquitto with passwords and the spec's ACL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from edge.check.broker import check_broker
from edge.config.common import BrokerSection
from tests.support.mosquitto import (
    Mosquitto,
    make_tls_files,
    write_password_file,
    write_spec_acl,
)

DEVICE = "site-7"


@pytest.fixture
def secured(tmp_path: Path) -> Iterator[Mosquitto]:
    passwords = write_password_file(tmp_path / "passwd", {DEVICE: "right", "site-8": "eight"})
    acl = write_spec_acl(tmp_path / "acl")
    broker = Mosquitto(tmp_path / "broker", extra_conf=(
        f"allow_anonymous false\npassword_file {passwords}\nacl_file {acl}\n")).start()
    yield broker
    broker.stop()


def broker_section(tmp_path: Path, url: str, user: str, password: str,
                   protocol: str = "5") -> BrokerSection:
    secret = tmp_path / f"{user}.secret"
    secret.write_text(password + "\n")
    return BrokerSection(url=url, protocol=protocol, username=user, password_file=secret)


@pytest.mark.parametrize("protocol", ["5", "3.1.1"])
def test_own_credentials_pass(tmp_path: Path, secured: Mosquitto, protocol: str) -> None:
    result = check_broker(broker_section(tmp_path, secured.url, DEVICE, "right", protocol),
                          "wim", DEVICE, 5.0)
    assert result.ok, result.summary
    assert f"user {DEVICE}" in result.summary and "down/ readable" in result.summary


def test_a_wrong_password_is_refused(tmp_path: Path, secured: Mosquitto) -> None:
    result = check_broker(broker_section(tmp_path, secured.url, DEVICE, "wrong"), "wim",
                          DEVICE, 5.0)
    assert not result.ok
    assert "refuses the connection" in result.summary


def test_another_devices_topics_are_refused_by_the_acl(tmp_path: Path,
                                                       secured: Mosquitto) -> None:
    # site-8's credentials on a config that says it is site-7: the ACL keeps it out.
    result = check_broker(broker_section(tmp_path, secured.url, "site-8", "eight"), "wim",
                          DEVICE, 5.0)
    assert not result.ok
    assert "ACL" in result.summary and DEVICE in result.summary


def test_no_broker_listening(tmp_path: Path) -> None:
    from edge.demo.configs import free_port

    result = check_broker(BrokerSection(url=f"mqtt://127.0.0.1:{free_port()}"), "wim",
                          DEVICE, 3.0)
    assert not result.ok and "cannot reach the broker" in result.summary


def test_tls_with_and_without_the_right_ca(tmp_path: Path) -> None:
    tls = make_tls_files(tmp_path / "tls")
    broker = Mosquitto(tmp_path / "tls-broker",
                       listener_options=tls.listener_options(require_certificate=False)).start()
    try:
        good = check_broker(BrokerSection(url=broker.url, ca_file=tls.ca), "wim", DEVICE, 5.0)
        # The system's CAs do not know the site's private CA.
        bad = check_broker(BrokerSection(url=broker.url), "wim", DEVICE, 5.0)
    finally:
        broker.stop()
    assert good.ok and ", TLS," in good.summary, good.summary
    assert not bad.ok and "TLS handshake failed" in bad.summary, bad.summary
