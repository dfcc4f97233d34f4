"""The ``--web.config.file`` of Prometheus and Alertmanager: build it, and check it.

Both read the Prometheus exporter-toolkit web configuration: ``tls_server_config`` (HTTPS
and client certificates), ``http_server_config`` and ``basic_auth_users`` (user name to
bcrypt hash). ``build_web_config`` turns a role's TLS paths and users into that mapping.
Plain-text passwords are hashed on the controller with bcrypt, and the hash already on the
host is reused when it still matches, so a second run changes nothing.
``web_config_problems`` lists the structural mistakes in a web configuration, for binaries
that cannot check one themselves (Alertmanager has no ``amtool check web-config``). Pure
Python over plain data; ``plugins/filter/web_config.py`` exposes both as filters.

Error messages name the role variable to fix and never contain a password.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

try:
    import bcrypt
except ImportError:
    bcrypt = None

__all__ = [
    "BCRYPT_ROUNDS",
    "CLIENT_AUTH_TYPES",
    "TLS_VERSIONS",
    "WebConfigError",
    "build_web_config",
    "is_bcrypt_hash",
    "web_config_problems",
]

BCRYPT_ROUNDS = 10
# $2a$, $2b$ or $2y$, a two-digit cost bcrypt accepts (04 to 31), $, then 22 characters of
# salt and 31 of hash in bcrypt's base64 alphabet: 60 characters in all.
_BCRYPT_HASH = re.compile(r"\$2[aby]\$(?:0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}")
# What exporter-toolkit (web/tls_config.go) reads; it refuses any other key.
_TOP_LEVEL_KEYS = ("tls_server_config", "http_server_config", "basic_auth_users", "rate_limit")
_TLS_KEYS = (
    "cert",
    "key",
    "client_ca",
    "cert_file",
    "key_file",
    "client_auth_type",
    "client_ca_file",
    "cipher_suites",
    "curve_preferences",
    "min_version",
    "max_version",
    "prefer_server_cipher_suites",
    "client_allowed_sans",
)
_HTTP_KEYS = ("http2", "headers")
CLIENT_AUTH_TYPES = (
    "NoClientCert",
    "RequestClientCert",
    "RequireAnyClientCert",
    "VerifyClientCertIfGiven",
    "RequireAndVerifyClientCert",
)
_VERIFYING_CLIENT_AUTH_TYPES = ("VerifyClientCertIfGiven", "RequireAndVerifyClientCert")
TLS_VERSIONS = ("TLS10", "TLS11", "TLS12", "TLS13")
_SETTINGS = ("cert_file", "key_file", "client_ca_file", "users")
# bcrypt only reads the first 72 bytes of a password; bcrypt 5 refuses longer ones.
_BCRYPT_MAX_PASSWORD_BYTES = 72


class WebConfigError(ValueError):
    """Raised when web settings cannot make a valid web configuration."""


def is_bcrypt_hash(value: Any) -> bool:
    """Whether ``value`` is a complete bcrypt hash (``$2a$``, ``$2b$`` or ``$2y$``)."""
    return isinstance(value, str) and _BCRYPT_HASH.fullmatch(value) is not None


def _check_variable(variable: Any) -> None:
    if not isinstance(variable, str) or not variable:
        raise WebConfigError(
            "variable must be the role's variable prefix, such as 'alertmanager' or"
            f" 'prometheus', got {type(variable).__name__} {variable!r}"
        )


def _path(settings: Mapping[str, Any], key: str, variable_name: str) -> str:
    path = settings.get(key)
    if path is None:
        return ""
    if not isinstance(path, str):
        raise WebConfigError(
            f"{variable_name} must be a path on the host (a string),"
            f" got {type(path).__name__} {path!r}"
        )
    return path


def _tls_server_config(settings: Mapping[str, Any], variable: str) -> dict[str, str]:
    cert_variable, key_variable = f"{variable}_tls_cert", f"{variable}_tls_key"
    ca_variable = f"{variable}_tls_ca"
    cert_file = _path(settings, "cert_file", cert_variable)
    key_file = _path(settings, "key_file", key_variable)
    client_ca_file = _path(settings, "client_ca_file", ca_variable)
    if bool(cert_file) != bool(key_file):
        given, missing = (
            (cert_variable, key_variable) if cert_file else (key_variable, cert_variable)
        )
        raise WebConfigError(
            f"{given} is set but {missing} is not: HTTPS needs both the certificate and its"
            f" private key; set {missing}, or leave {given} empty to serve plain HTTP"
        )
    if client_ca_file and not cert_file:
        raise WebConfigError(
            f"{ca_variable} is set but {cert_variable} and {key_variable} are not: client"
            f" certificate authentication ({variable}_tls_client_auth) needs a server"
            f" certificate; set {cert_variable} and {key_variable}, or leave {ca_variable}"
            " empty"
        )
    if not cert_file:
        return {}
    tls_server_config = {"cert_file": cert_file, "key_file": key_file, "min_version": "TLS12"}
    if client_ca_file:
        tls_server_config["client_ca_file"] = client_ca_file
        tls_server_config["client_auth_type"] = "RequireAndVerifyClientCert"
    return tls_server_config


def _require_bcrypt(user: str, users_variable: str) -> None:
    if bcrypt is None:
        raise WebConfigError(
            f"{users_variable}: user {user!r} has a plain-text password, and hashing it needs"
            " the Python library bcrypt on the controller: pip install bcrypt on the"
            " controller (requirements.txt pins it), or give a bcrypt hash instead"
        )


def _matches(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode(), password_hash.encode())
    except ValueError:
        # A hash that looks right but that bcrypt cannot read (a bad salt) matches nothing.
        return False


def _password_hash(user: str, password: Any, existing_hash: Any, users_variable: str) -> str:
    if not isinstance(password, str):
        raise WebConfigError(
            f"{users_variable}: the password of user {user!r} must be a string, got"
            f" {type(password).__name__}; quote it in YAML, or give a bcrypt hash"
        )
    if not password:
        raise WebConfigError(
            f"{users_variable}: user {user!r} has an empty password; give a password or a"
            " bcrypt hash"
        )
    if is_bcrypt_hash(password):
        return password
    if password.startswith("$2"):
        raise WebConfigError(
            f"{users_variable}: the value of user {user!r} starts like a bcrypt hash but is"
            " not one, so it looks like a truncated or mangled hash (a bcrypt hash is $2a$,"
            " $2b$ or $2y$, a cost from 04 to 31, $ and 53 characters of ./A-Za-z0-9;"
            " 60 characters in all); give the complete hash, quoted, or a plain-text password"
        )
    if len(password.encode()) > _BCRYPT_MAX_PASSWORD_BYTES:
        raise WebConfigError(
            f"{users_variable}: the password of user {user!r} is longer than"
            f" {_BCRYPT_MAX_PASSWORD_BYTES} bytes, which bcrypt cannot hash; give a shorter"
            " password"
        )
    _require_bcrypt(user, users_variable)
    if is_bcrypt_hash(existing_hash) and _matches(password, existing_hash):
        return existing_hash
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=BCRYPT_ROUNDS)).decode()


def _basic_auth_users(users: Any, existing: Any, variable: str) -> dict[str, str]:
    users_variable = f"{variable}_basic_auth_users"
    if users is None:
        return {}
    if not isinstance(users, Mapping):
        raise WebConfigError(
            f"{users_variable} must be a mapping of user name to password or bcrypt hash,"
            f" got {type(users).__name__}"
        )
    existing_hashes = existing if isinstance(existing, Mapping) else {}
    password_hashes = {}
    for user in sorted(users, key=str):
        if not isinstance(user, str) or not user:
            raise WebConfigError(
                f"{users_variable}: user names must be non-empty strings, got"
                f" {type(user).__name__} {user!r}"
            )
        if ":" in user:
            raise WebConfigError(
                f"{users_variable}: user name {user!r} has a ':', which HTTP basic"
                " authentication cannot carry; rename the user"
            )
        password_hashes[user] = _password_hash(
            user, users[user], existing_hashes.get(user), users_variable
        )
    return password_hashes


def build_web_config(
    settings: Mapping[str, Any],
    existing: Mapping[str, Any] | None = None,
    variable: str = "web",
) -> dict[str, Any]:
    """Return the web configuration (``--web.config.file``) that ``settings`` describe.

    ``settings`` may hold ``cert_file``, ``key_file`` and ``client_ca_file`` (paths on the
    host; empty means unset) and ``users`` (user name to plain-text password or bcrypt
    hash). ``existing`` is the ``basic_auth_users`` of the web configuration now on the
    host: a plain-text password keeps its hash there when the hash still matches.
    ``variable`` is the role's variable prefix, which error messages use to name the
    variable to fix. Empty settings give ``{}``: plain HTTP without authentication.
    """
    _check_variable(variable)
    if not isinstance(settings, Mapping):
        raise WebConfigError(
            f"the {variable} web settings must be a mapping with some of"
            f" {', '.join(_SETTINGS)}, got {type(settings).__name__}"
        )
    unknown = sorted(str(key) for key in settings if key not in _SETTINGS)
    if unknown:
        raise WebConfigError(
            f"the {variable} web settings have unknown keys {unknown}; the known ones are"
            f" {', '.join(_SETTINGS)}"
        )
    web_config: dict[str, Any] = {}
    tls_server_config = _tls_server_config(settings, variable)
    if tls_server_config:
        web_config["tls_server_config"] = tls_server_config
    basic_auth_users = _basic_auth_users(settings.get("users"), existing, variable)
    if basic_auth_users:
        web_config["basic_auth_users"] = basic_auth_users
    return web_config


def _unknown_key_problems(
    section: Mapping[str, Any], path: str, known: tuple[str, ...]
) -> list[str]:
    return [
        f"{path} has the unknown key {key!r}, which exporter-toolkit refuses: use one of"
        f" {', '.join(known)}."
        for key in sorted((key for key in section if key not in known), key=str)
    ]


def _is_set(tls_server_config: Mapping[str, Any], key: str) -> bool:
    value = tls_server_config.get(key)
    return isinstance(value, str) and bool(value)


def _tls_problems(tls_server_config: Any, path: str) -> list[str]:
    if not isinstance(tls_server_config, Mapping):
        return [
            f"{path} must be a mapping with cert_file and key_file, got"
            f" {type(tls_server_config).__name__}."
        ]
    problems = _unknown_key_problems(tls_server_config, path, _TLS_KEYS)
    for part in ("cert", "key"):
        if not (_is_set(tls_server_config, f"{part}_file") or _is_set(tls_server_config, part)):
            problems.append(
                f"{path} has no {part}_file: HTTPS needs the paths of the certificate and its"
                f" key (cert_file and key_file, or cert and key inline)."
            )
    client_auth_type = tls_server_config.get("client_auth_type") or "NoClientCert"
    has_client_ca = _is_set(tls_server_config, "client_ca_file") or _is_set(
        tls_server_config, "client_ca"
    )
    if client_auth_type not in CLIENT_AUTH_TYPES:
        problems.append(
            f"{path}.client_auth_type is {client_auth_type!r}: use one of"
            f" {', '.join(CLIENT_AUTH_TYPES)}."
        )
    elif client_auth_type in _VERIFYING_CLIENT_AUTH_TYPES and not has_client_ca:
        problems.append(
            f"{path}.client_auth_type is {client_auth_type!r}, which verifies client"
            " certificates against client_ca_file, but client_ca_file is not set."
        )
    elif client_auth_type == "NoClientCert" and has_client_ca:
        problems.append(
            f"{path} has a client CA but client_auth_type asks for no client certificate:"
            " set client_auth_type (RequireAndVerifyClientCert), or drop the client CA."
        )
    versions = {}
    for bound in ("min_version", "max_version"):
        if bound not in tls_server_config:
            continue
        version = tls_server_config[bound]
        if version in TLS_VERSIONS:
            versions[bound] = TLS_VERSIONS.index(version)
        else:
            problems.append(f"{path}.{bound} is {version!r}: use one of {', '.join(TLS_VERSIONS)}.")
    if len(versions) == 2 and versions["min_version"] > versions["max_version"]:
        problems.append(f"{path}.min_version is above its max_version: no TLS version is left.")
    return problems


def _users_problems(basic_auth_users: Any, path: str) -> list[str]:
    if not isinstance(basic_auth_users, Mapping):
        return [
            f"{path} must be a mapping of user name to bcrypt hash, got"
            f" {type(basic_auth_users).__name__}."
        ]
    problems = []
    for user in sorted(basic_auth_users, key=str):
        if not isinstance(user, str) or not user or ":" in user:
            problems.append(
                f"{path} has the user name {user!r}: user names are non-empty strings without ':'."
            )
        elif not is_bcrypt_hash(basic_auth_users[user]):
            problems.append(
                f"{path}[{user!r}] is not a bcrypt hash: exporter-toolkit compares"
                " passwords with bcrypt hashes only; hash the password (the web_config"
                " filter does)."
            )
    return problems


def web_config_problems(web_config: Any, variable: str = "web") -> list[str]:
    """Return one message per structural problem in ``web_config``; empty when none.

    The messages name the configuration as ``<variable>_web_config``. Only the structure
    is checked: whether the certificate files exist and match is for the host to tell.
    """
    _check_variable(variable)
    name = f"{variable}_web_config"
    if not isinstance(web_config, Mapping):
        return [
            f"{name} must be a mapping with some of {', '.join(_TOP_LEVEL_KEYS)},"
            f" got {type(web_config).__name__}."
        ]
    problems = _unknown_key_problems(web_config, name, _TOP_LEVEL_KEYS)
    if "tls_server_config" in web_config:
        problems += _tls_problems(web_config["tls_server_config"], f"{name}.tls_server_config")
    if "basic_auth_users" in web_config:
        problems += _users_problems(web_config["basic_auth_users"], f"{name}.basic_auth_users")
    for section, known in (
        ("http_server_config", _HTTP_KEYS),
        ("rate_limit", ("burst", "interval")),
    ):
        if section not in web_config:
            continue
        value = web_config[section]
        if isinstance(value, Mapping):
            problems += _unknown_key_problems(value, f"{name}.{section}", known)
        else:
            problems.append(
                f"{name}.{section} must be a mapping with some of {', '.join(known)},"
                f" got {type(value).__name__}."
            )
    return problems
