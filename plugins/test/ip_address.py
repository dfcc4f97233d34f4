"""Jinja test ``alertmesh.ha.ip_address``; documentation in ip_address.yml."""

from __future__ import annotations

from ansible_collections.alertmesh.ha.plugins.plugin_utils.mesh import is_ip_address


class TestModule:
    def tests(self):
        return {"ip_address": is_ip_address}
