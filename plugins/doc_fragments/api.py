"""Options shared by every module that talks to the Alertmanager or Prometheus HTTP API."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  validate_certs:
    description:
      - Whether to verify the TLS certificate of every HTTPS URL.
      - Set V(false) only for test hosts with self-signed certificates; O(ca_path) is the
        better answer for a private CA.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file with the CA certificates that sign the servers' certificates, when they
        are not in the system trust store of the managed host.
    type: path
  client_cert:
    description:
      - PEM file with the client certificate (chain) for mutual TLS, as set with
        C(tls_server_config.client_auth_type) in the Alertmanager or Prometheus web
        configuration file.
      - The file may hold the private key too; otherwise give O(client_key).
    type: path
  client_key:
    description:
      - PEM file with the private key of O(client_cert).
    type: path
  url_username:
    description:
      - User name for HTTP basic authentication (C(basic_auth_users) in the web
        configuration file).
      - When set, the credentials are sent with the first request rather than after a
        C(401) challenge.
    type: str
  url_password:
    description:
      - Password for HTTP basic authentication; used only together with O(url_username).
    type: str
  http_timeout:
    description:
      - Seconds each single HTTP request may take in all, from connecting to the last byte
        of the answer. A server that answers slower than that, even one trickling its
        answer byte by byte, fails the request.
      - This is not how long the module waits for a condition to hold; modules that poll
        have their own O(ignore:timeout) option for that.
    type: float
    default: 10
notes:
  - Requests are made from the managed host with C(ansible.module_utils.urls), so the
    managed host needs no extra Python library. Run the task on a host that can reach
    every URL given, for example with C(delegate_to) or C(run_once).
  - An answer may be at most 16 MiB long (after decompression); a longer one fails the
    request without being read further. The answers these modules ask for (cluster status,
    silences, the alerts of one name, discovered Alertmanagers) are far smaller.
  - A URL may carry credentials, as in V(http://user:password@10.0.0.5:9093). They are used
    for basic authentication unless O(url_username) is set, and the module shows and
    returns the URL without them (results are keyed by that URL), masking the password
    wherever else it would show. O(url_username) and O(url_password) are the better way.
  - Redirects are never followed, since neither API redirects. An answer C(301), C(302),
    C(303), C(307) or C(308) fails the task with both URLs named, and nothing (credentials
    included) is sent to the URL it points to.
  - A URL is the base URL of the API, without C(/api/...). When Alertmanager or Prometheus
    runs with C(--web.route-prefix), include the prefix, for example
    V(http://10.0.0.5:9093/alertmanager).
"""
