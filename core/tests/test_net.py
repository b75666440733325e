"""The one client-address function: right-most untrusted X-Forwarded-For hop, only via our proxies."""

from __future__ import annotations

import ipaddress

import pytest
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from core.net import client_address, parse_address, parse_networks, resolve_client_address

PROXIES = parse_networks(("10.0.0.0/8", "192.0.2.1", "2001:db8::/32"))


def test_direct_connection_ignores_forwarded_for():
    # A client talking to the app directly cannot choose its address with the header.
    assert resolve_client_address("203.0.113.9", "198.51.100.1", PROXIES) == "203.0.113.9"


def test_behind_one_proxy_the_appended_hop_is_the_client():
    assert resolve_client_address("10.0.0.5", "203.0.113.9", PROXIES) == "203.0.113.9"


def test_a_forged_left_most_address_is_not_used():
    assert resolve_client_address("10.0.0.5", "1.2.3.4, 203.0.113.9", PROXIES) == "203.0.113.9"


def test_a_chain_of_our_proxies_is_skipped():
    assert resolve_client_address("10.0.0.5", "6.6.6.6, 203.0.113.9, 192.0.2.1, 10.1.2.3", PROXIES) == "203.0.113.9"


def test_malformed_entries_stop_the_walk_at_the_last_trusted_hop():
    assert resolve_client_address("10.0.0.5", "203.0.113.9, not-an-ip", PROXIES) == "10.0.0.5"
    assert resolve_client_address("10.0.0.5", "203.0.113.9, 192.0.2.1, , ", PROXIES) == "10.0.0.5"
    assert resolve_client_address("10.0.0.5", "evil, 203.0.113.9", PROXIES) == "203.0.113.9"


def test_ports_brackets_and_mapped_addresses():
    assert parse_address("203.0.113.9:443") == ipaddress.ip_address("203.0.113.9")
    assert parse_address("[2001:db8::1]:443") == ipaddress.ip_address("2001:db8::1")
    assert parse_address("::ffff:203.0.113.9") == ipaddress.ip_address("203.0.113.9")
    assert parse_address("2001:db8::1") == ipaddress.ip_address("2001:db8::1")
    assert parse_address("unknown") is None
    assert resolve_client_address("2001:db8::9", "2a00:1450::1", PROXIES) == "2a00:1450::1"


def test_a_missing_remote_address_is_unknown():
    assert resolve_client_address("", "203.0.113.9", PROXIES) == "unknown"


def test_all_hops_trusted_answers_the_inner_most():
    assert resolve_client_address("10.0.0.5", "10.9.9.9", PROXIES) == "10.9.9.9"


def test_the_request_function_reads_settings(settings):
    settings.NYTH_TRUSTED_PROXIES = ["127.0.0.1"]
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7")
    assert client_address(request) == "203.0.113.7"
    settings.NYTH_TRUSTED_PROXIES = []
    assert client_address(request) == "127.0.0.1"


def test_a_bad_trusted_proxy_entry_is_a_configuration_error():
    with pytest.raises(ValueError):
        parse_networks(("10.0.0.0/8", "not-a-network"))


public_v4 = st.ip_addresses(v=4).filter(lambda a: not any(a in n for n in PROXIES if n.version == 4))
junk = st.text(max_size=20).filter(lambda s: "," not in s)


@given(
    forged=st.lists(st.one_of(st.ip_addresses().map(str), junk), max_size=5),
    client=public_v4,
    proxies=st.lists(st.sampled_from(["10.1.1.1", "192.0.2.1", "10.255.0.3"]), max_size=3),
)
def test_whatever_the_client_forges_the_answer_is_what_our_proxy_saw(forged, client, proxies):
    # The header as it arrives: the client's forgery, then what each of our proxies appended.
    header = ", ".join([*forged, str(client), *proxies])
    assert resolve_client_address("10.0.0.5", header, PROXIES) == str(client)


def _untrusted(address) -> bool:
    normal = parse_address(str(address))  # IPv4-mapped IPv6 is judged as the IPv4 address
    return not any(normal in n for n in PROXIES if n.version == normal.version)


@given(remote=st.ip_addresses().filter(_untrusted), header=st.text(max_size=80))
def test_an_untrusted_peer_is_always_the_answer(remote, header):
    assert resolve_client_address(str(remote), header, PROXIES) == str(parse_address(str(remote)))


@given(header=st.text(max_size=200))
def test_any_header_gives_an_address_or_the_proxy(header):
    answer = resolve_client_address("10.0.0.5", header, PROXIES)
    assert parse_address(answer) is not None


def test_axes_gets_none_rather_than_a_word_for_a_missing_address():
    from django.http import HttpRequest

    from core.net import axes_client_address

    assert axes_client_address(HttpRequest()) is None
    assert axes_client_address(RequestFactory().get("/", REMOTE_ADDR="203.0.113.9")) == "203.0.113.9"
