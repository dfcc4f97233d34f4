"""Tests for building and checking the exporter-toolkit web configuration.

The hashes are real bcrypt hashes, checked with bcrypt.checkpw. Expected behaviour of the
checks comes from exporter-toolkit's web/tls_config.go, restated here.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

import bcrypt
import pytest

from ansible_collections.alertmesh.ha.plugins.plugin_utils import web_config as web_config_module
from ansible_collections.alertmesh.ha.plugins.plugin_utils.web_config import (
    CLIENT_AUTH_TYPES,
    WebConfigError,
    build_web_config,
    is_bcrypt_hash,
    web_config_problems,
)

PASSWORD = "correct-horse-battery"
OTHER_PASSWORD = "another-staple-42"
OPS_HASH = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
CERT = {"cert_file": "/etc/am/tls.crt", "key_file": "/etc/am/tls.key"}
TLS = {**CERT, "min_version": "TLS12"}


def matches(password: str, password_hash: str) -> bool:
    return bcrypt.checkpw(password.encode(), password_hash.encode())


def build_error(settings: Any, existing: Any = None) -> str:
    with pytest.raises(WebConfigError) as caught:
        build_web_config(settings, existing, "alertmanager")
    return str(caught.value)


# --- build_web_config: TLS -------------------------------------------------------------


@pytest.mark.parametrize(
    "settings",
    [{}, {"cert_file": "", "key_file": "", "client_ca_file": "", "users": {}}, {"users": None}],
)
def test_empty_settings_give_plain_http_without_auth(settings: dict[str, Any]) -> None:
    assert build_web_config(settings) == {}


def test_a_certificate_and_key_turn_https_on() -> None:
    assert build_web_config(CERT) == {"tls_server_config": TLS}


def test_a_client_ca_requires_verified_client_certificates() -> None:
    web_config = build_web_config({**CERT, "client_ca_file": "/etc/am/ca.crt"})
    assert web_config == {
        "tls_server_config": {
            **TLS,
            "client_ca_file": "/etc/am/ca.crt",
            "client_auth_type": "RequireAndVerifyClientCert",
        }
    }
    assert web_config_problems(web_config) == []


@pytest.mark.parametrize(
    ("settings", "given", "missing"),
    [
        ({"cert_file": "/c"}, "alertmanager_tls_cert", "alertmanager_tls_key"),
        ({"key_file": "/k", "cert_file": ""}, "alertmanager_tls_key", "alertmanager_tls_cert"),
    ],
)
def test_a_certificate_without_key_or_the_reverse_is_refused(
    settings: dict[str, str], given: str, missing: str
) -> None:
    assert build_error(settings) == (
        f"{given} is set but {missing} is not: HTTPS needs both the certificate and its"
        f" private key; set {missing}, or leave {given} empty to serve plain HTTP"
    )


def test_a_client_ca_without_certificate_is_refused() -> None:
    message = build_error({"client_ca_file": "/etc/am/ca.crt"})
    assert message.startswith(
        "alertmanager_tls_ca is set but alertmanager_tls_cert and alertmanager_tls_key are not"
    )
    assert "alertmanager_tls_client_auth" in message


def test_a_path_that_is_not_a_string_is_refused() -> None:
    assert build_error({"cert_file": 42, "key_file": "/k"}) == (
        "alertmanager_tls_cert must be a path on the host (a string), got int 42"
    )


# --- build_web_config: users -------------------------------------------------------------


def test_a_plain_password_is_hashed_with_bcrypt_at_cost_10() -> None:
    users = build_web_config({"users": {"ops": PASSWORD}})["basic_auth_users"]
    assert list(users) == ["ops"]
    assert users["ops"].startswith("$2b$10$")
    assert is_bcrypt_hash(users["ops"])
    assert matches(PASSWORD, users["ops"])
    assert not matches(OTHER_PASSWORD, users["ops"])


def test_each_user_gets_a_hash_of_its_own_password() -> None:
    users = build_web_config({"users": {"ops": PASSWORD, "grafana": OTHER_PASSWORD}})
    hashes = users["basic_auth_users"]
    assert list(hashes) == ["grafana", "ops"]
    assert matches(OTHER_PASSWORD, hashes["grafana"])
    assert matches(PASSWORD, hashes["ops"])


def test_tls_and_users_together() -> None:
    web_config = build_web_config({**CERT, "users": {"ops": OPS_HASH}})
    assert web_config == {"tls_server_config": TLS, "basic_auth_users": {"ops": OPS_HASH}}
    assert web_config_problems(web_config) == []


def test_an_existing_hash_that_still_matches_is_reused() -> None:
    existing = {"ops": OPS_HASH, "gone": OPS_HASH}
    web_config = build_web_config({"users": {"ops": PASSWORD}}, existing)
    assert web_config == {"basic_auth_users": {"ops": OPS_HASH}}


def test_a_changed_password_gets_a_new_hash() -> None:
    users = build_web_config({"users": {"ops": OTHER_PASSWORD}}, {"ops": OPS_HASH})
    new_hash = users["basic_auth_users"]["ops"]
    assert new_hash != OPS_HASH
    assert matches(OTHER_PASSWORD, new_hash)


def test_a_second_build_from_the_first_result_changes_nothing() -> None:
    settings = {"users": {"ops": PASSWORD, "grafana": OTHER_PASSWORD}}
    first = build_web_config(settings)
    second = build_web_config(settings, first["basic_auth_users"])
    assert second == first


@pytest.mark.parametrize(
    "existing",
    [
        None,
        "garbage",
        ["ops"],
        {"ops": None},
        {"ops": 42},
        {"ops": PASSWORD},
        {"ops": OPS_HASH[:-1]},
        # Looks like a hash, but its salt is one bcrypt cannot read.
        {"ops": "$2b$04$" + "a" * 53},
    ],
)
def test_an_existing_value_that_is_no_usable_hash_is_ignored(existing: Any) -> None:
    users = build_web_config({"users": {"ops": PASSWORD}}, existing)["basic_auth_users"]
    assert matches(PASSWORD, users["ops"])
    assert users["ops"] != OPS_HASH


@pytest.mark.parametrize("prefix", ["$2a$", "$2b$", "$2y$"])
def test_a_bcrypt_hash_is_kept_as_it_is(prefix: str) -> None:
    pre_hashed = prefix + OPS_HASH[4:]
    web_config = build_web_config({"users": {"ops": pre_hashed}}, {"ops": "$2b$10$" + "x" * 53})
    assert web_config == {"basic_auth_users": {"ops": pre_hashed}}
    assert matches(PASSWORD, pre_hashed)


@pytest.mark.parametrize(
    "mangled",
    [
        OPS_HASH[:-1],
        OPS_HASH + "x",
        "$2b$10",
        "$2z",
        "$2x$10$" + OPS_HASH[7:],
        "$2b$03$" + OPS_HASH[7:],
        "$2b$1$" + OPS_HASH[7:],
        OPS_HASH[:-1] + "!",
    ],
)
def test_a_mangled_hash_is_refused_without_showing_it(mangled: str) -> None:
    message = build_error({"users": {"ops": mangled}})
    assert message.startswith(
        "alertmanager_basic_auth_users: the value of user 'ops' starts like a bcrypt hash but"
        " is not one, so it looks like a truncated or mangled hash"
    )
    assert mangled not in message


@pytest.mark.parametrize(
    ("users", "expected"),
    [
        (
            ["ops"],
            "alertmanager_basic_auth_users must be a mapping of user name to password or"
            " bcrypt hash, got list",
        ),
        (
            {"": PASSWORD},
            "alertmanager_basic_auth_users: user names must be non-empty strings, got str ''",
        ),
        (
            {7: PASSWORD},
            "alertmanager_basic_auth_users: user names must be non-empty strings, got int 7",
        ),
        (
            {"ops:admin": PASSWORD},
            "alertmanager_basic_auth_users: user name 'ops:admin' has a ':', which HTTP basic"
            " authentication cannot carry; rename the user",
        ),
        (
            {"ops": ""},
            "alertmanager_basic_auth_users: user 'ops' has an empty password; give a password"
            " or a bcrypt hash",
        ),
        (
            {"ops": None},
            "alertmanager_basic_auth_users: the password of user 'ops' must be a string, got"
            " NoneType; quote it in YAML, or give a bcrypt hash",
        ),
        (
            {"ops": 123456},
            "alertmanager_basic_auth_users: the password of user 'ops' must be a string, got"
            " int; quote it in YAML, or give a bcrypt hash",
        ),
        (
            {"ops": "é" * 37},
            "alertmanager_basic_auth_users: the password of user 'ops' is longer than 72"
            " bytes, which bcrypt cannot hash; give a shorter password",
        ),
    ],
)
def test_bad_users_are_refused_naming_the_variable(users: Any, expected: str) -> None:
    assert build_error({"users": users}) == expected


def test_a_password_never_shows_in_an_error() -> None:
    message = build_error({"users": {"ops": PASSWORD, "ops:x": PASSWORD}})
    assert PASSWORD not in message
    message = build_error({"users": {"ops": PASSWORD * 4}})
    assert PASSWORD not in message


def test_a_password_of_72_bytes_is_hashed() -> None:
    password = "p" * 72
    users = build_web_config({"users": {"ops": password}})["basic_auth_users"]
    assert matches(password, users["ops"])


# --- build_web_config: input -------------------------------------------------------------


def test_settings_that_are_not_a_mapping_are_refused() -> None:
    assert build_error(["cert_file"]) == (
        "the alertmanager web settings must be a mapping with some of cert_file, key_file,"
        " client_ca_file, users, got list"
    )


def test_unknown_settings_are_refused() -> None:
    assert build_error({"cert": "/c", "users": {}}) == (
        "the alertmanager web settings have unknown keys ['cert']; the known ones are"
        " cert_file, key_file, client_ca_file, users"
    )


@pytest.mark.parametrize("variable", ["", None, 3])
def test_the_variable_prefix_must_be_a_non_empty_string(variable: Any) -> None:
    with pytest.raises(WebConfigError, match=r"^variable must be the role's variable prefix"):
        build_web_config({}, None, variable)
    with pytest.raises(WebConfigError, match=r"^variable must be the role's variable prefix"):
        web_config_problems({}, variable)


def test_the_default_variable_prefix_is_web() -> None:
    with pytest.raises(WebConfigError, match=r"^web_tls_key is set"):
        build_web_config({"key_file": "/k"})


# --- without bcrypt -----------------------------------------------------------------------


@pytest.fixture
def without_bcrypt(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A fresh copy of the module, imported while bcrypt cannot be imported."""
    monkeypatch.setitem(sys.modules, "bcrypt", None)
    spec = importlib.util.spec_from_file_location(
        "web_config_without_bcrypt", web_config_module.__file__
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.bcrypt is None
    return module


def test_without_bcrypt_a_plain_password_asks_for_it(without_bcrypt: Any) -> None:
    with pytest.raises(without_bcrypt.WebConfigError) as caught:
        without_bcrypt.build_web_config({"users": {"ops": PASSWORD}}, {"ops": OPS_HASH}, "am")
    message = str(caught.value)
    assert message.startswith("am_basic_auth_users: user 'ops' has a plain-text password")
    assert "pip install bcrypt on the controller" in message
    assert PASSWORD not in message


def test_without_bcrypt_hashes_and_tls_still_work(without_bcrypt: Any) -> None:
    settings = {**CERT, "users": {"ops": OPS_HASH}}
    assert without_bcrypt.build_web_config(settings) == {
        "tls_server_config": TLS,
        "basic_auth_users": {"ops": OPS_HASH},
    }


# --- is_bcrypt_hash ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (OPS_HASH, True),
        ("$2y$31$" + OPS_HASH[7:], True),
        ("$2b$32$" + OPS_HASH[7:], False),
        ("$2b$04$" + OPS_HASH[7:] + "\n", False),
        (OPS_HASH.encode(), False),
        (None, False),
    ],
)
def test_is_bcrypt_hash(value: Any, expected: bool) -> None:
    assert is_bcrypt_hash(value) is expected


# --- web_config_problems -----------------------------------------------------------------


@pytest.mark.parametrize(
    "web_config",
    [
        {},
        {"basic_auth_users": {}},
        {"tls_server_config": {"cert": "PEM", "key": "PEM"}},
        {
            "tls_server_config": {
                **TLS,
                "max_version": "TLS13",
                "client_auth_type": "VerifyClientCertIfGiven",
                "client_ca": "PEM",
                "cipher_suites": ["TLS_AES_128_GCM_SHA256"],
            },
            "http_server_config": {"http2": False, "headers": {"X-Frame-Options": "deny"}},
            "basic_auth_users": {"ops": OPS_HASH, "grafana": "$2y$12$" + OPS_HASH[7:]},
            "rate_limit": {"burst": 10, "interval": "1s"},
        },
        *(
            {"tls_server_config": {**TLS, "client_auth_type": kind}}
            for kind in CLIENT_AUTH_TYPES[:3]
        ),
        {"tls_server_config": {**TLS, "client_auth_type": "", "min_version": "TLS13"}},
    ],
)
def test_a_sound_web_config_has_no_problems(web_config: dict[str, Any]) -> None:
    assert web_config_problems(web_config, "alertmanager") == []


def problems(web_config: Any) -> list[str]:
    return web_config_problems(web_config, "alertmanager")


@pytest.mark.parametrize("web_config", [None, "tls", ["basic_auth_users"]])
def test_a_web_config_that_is_not_a_mapping_is_a_problem(web_config: Any) -> None:
    [problem] = problems(web_config)
    assert problem.startswith(
        "alertmanager_web_config must be a mapping with some of tls_server_config,"
        " http_server_config, basic_auth_users, rate_limit, got "
    )


def test_an_unknown_top_level_key_is_a_problem() -> None:
    assert problems({"tls_config": {}, "basic_auth_users": {}}) == [
        "alertmanager_web_config has the unknown key 'tls_config', which exporter-toolkit"
        " refuses: use one of tls_server_config, http_server_config, basic_auth_users,"
        " rate_limit."
    ]


def test_tls_server_config_that_is_not_a_mapping_is_a_problem() -> None:
    assert problems({"tls_server_config": None}) == [
        "alertmanager_web_config.tls_server_config must be a mapping with cert_file and"
        " key_file, got NoneType."
    ]


@pytest.mark.parametrize(
    ("tls_server_config", "missing"),
    [
        ({}, ["cert", "key"]),
        ({"min_version": "TLS12"}, ["cert", "key"]),
        ({"cert_file": "/c"}, ["key"]),
        ({"cert_file": "", "key_file": "/k"}, ["cert"]),
        ({"cert": "PEM", "key_file": None}, ["key"]),
    ],
)
def test_tls_without_certificate_or_key_is_a_problem(
    tls_server_config: dict[str, Any], missing: list[str]
) -> None:
    assert problems({"tls_server_config": tls_server_config}) == [
        f"alertmanager_web_config.tls_server_config has no {part}_file: HTTPS needs the paths"
        " of the certificate and its key (cert_file and key_file, or cert and key inline)."
        for part in missing
    ]


def test_an_unknown_tls_key_is_a_problem() -> None:
    [problem] = problems({"tls_server_config": {**TLS, "ca_file": "/ca"}})
    assert problem.startswith(
        "alertmanager_web_config.tls_server_config has the unknown key 'ca_file'"
    )


def test_an_unknown_client_auth_type_is_a_problem() -> None:
    assert problems({"tls_server_config": {**TLS, "client_auth_type": "RequireClient"}}) == [
        "alertmanager_web_config.tls_server_config.client_auth_type is 'RequireClient': use"
        " one of NoClientCert, RequestClientCert, RequireAnyClientCert,"
        " VerifyClientCertIfGiven, RequireAndVerifyClientCert."
    ]


@pytest.mark.parametrize("kind", ["VerifyClientCertIfGiven", "RequireAndVerifyClientCert"])
def test_a_verifying_client_auth_type_needs_a_client_ca(kind: str) -> None:
    assert problems({"tls_server_config": {**TLS, "client_auth_type": kind}}) == [
        f"alertmanager_web_config.tls_server_config.client_auth_type is {kind!r}, which"
        " verifies client certificates against client_ca_file, but client_ca_file is not set."
    ]


@pytest.mark.parametrize("client_auth", [{}, {"client_auth_type": "NoClientCert"}])
def test_a_client_ca_without_client_auth_type_is_a_problem(client_auth: dict[str, str]) -> None:
    tls_server_config = {**TLS, "client_ca_file": "/ca", **client_auth}
    assert problems({"tls_server_config": tls_server_config}) == [
        "alertmanager_web_config.tls_server_config has a client CA but client_auth_type asks"
        " for no client certificate: set client_auth_type (RequireAndVerifyClientCert), or"
        " drop the client CA."
    ]


@pytest.mark.parametrize(
    ("bounds", "expected"),
    [
        (
            {"min_version": "TLS1.2"},
            [
                "alertmanager_web_config.tls_server_config.min_version is 'TLS1.2': use one of"
                " TLS10, TLS11, TLS12, TLS13."
            ],
        ),
        (
            {"min_version": "TLS12", "max_version": 13},
            [
                "alertmanager_web_config.tls_server_config.max_version is 13: use one of"
                " TLS10, TLS11, TLS12, TLS13."
            ],
        ),
        (
            {"min_version": "TLS13", "max_version": "TLS12"},
            [
                "alertmanager_web_config.tls_server_config.min_version is above its"
                " max_version: no TLS version is left."
            ],
        ),
    ],
)
def test_tls_versions_are_checked(bounds: dict[str, Any], expected: list[str]) -> None:
    assert problems({"tls_server_config": {**CERT, **bounds}}) == expected


def test_basic_auth_users_that_is_not_a_mapping_is_a_problem() -> None:
    assert problems({"basic_auth_users": ["ops"]}) == [
        "alertmanager_web_config.basic_auth_users must be a mapping of user name to bcrypt"
        " hash, got list."
    ]


def test_bad_user_names_are_problems() -> None:
    assert problems({"basic_auth_users": {"": OPS_HASH, "a:b": OPS_HASH, 5: OPS_HASH}}) == [
        f"alertmanager_web_config.basic_auth_users has the user name {name!r}: user names are"
        " non-empty strings without ':'."
        for name in ("", 5, "a:b")
    ]


@pytest.mark.parametrize("value", [PASSWORD, OPS_HASH[:-1], None, ""])
def test_a_user_without_a_bcrypt_hash_is_a_problem_that_hides_the_value(value: Any) -> None:
    [problem] = problems({"basic_auth_users": {"ops": value}})
    assert problem == (
        "alertmanager_web_config.basic_auth_users['ops'] is not a bcrypt hash: exporter-toolkit"
        " compares passwords with bcrypt hashes only; hash the password (the web_config"
        " filter does)."
    )


@pytest.mark.parametrize(
    ("section", "value", "expected"),
    [
        (
            "http_server_config",
            "http2",
            "alertmanager_web_config.http_server_config must be a mapping with some of http2,"
            " headers, got str.",
        ),
        (
            "http_server_config",
            {"http3": True},
            "alertmanager_web_config.http_server_config has the unknown key 'http3', which"
            " exporter-toolkit refuses: use one of http2, headers.",
        ),
        (
            "rate_limit",
            None,
            "alertmanager_web_config.rate_limit must be a mapping with some of burst, interval,"
            " got NoneType.",
        ),
    ],
)
def test_http_server_config_and_rate_limit_are_checked(
    section: str, value: Any, expected: str
) -> None:
    assert problems({section: value}) == [expected]


def test_every_problem_is_reported_at_once() -> None:
    found = problems(
        {
            "extra": 1,
            "tls_server_config": {"client_auth_type": "Nope"},
            "basic_auth_users": {"ops": "plain"},
            "http_server_config": [],
        }
    )
    assert len(found) == 6


def test_the_default_name_is_web_web_config() -> None:
    assert web_config_problems(None) == [
        "web_web_config must be a mapping with some of tls_server_config, http_server_config,"
        " basic_auth_users, rate_limit, got NoneType."
    ]
