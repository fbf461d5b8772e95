"""deploy/ names who may tell the gateway and identity a client's address: web (which signs
browsers in through the gateway, passing each browser's address on) for the gateway, the gateway
for identity. Untrusted, every sign-in through web was limited as web's one address, and every
wrong password counted against the gateway's (the review of hole 8)."""

import ipaddress
import json

from tests.deploy.test_deploy_secrets import _compose, _k8s


def _networks(value: str) -> list:
    return [ipaddress.ip_network(cidr) for cidr in json.loads(value)]


def _within(addresses, trusted) -> bool:
    return all(any(address.version == network.version and address.subnet_of(network)
                   for network in trusted) for address in addresses)


class TestCompose:
    def test_the_gateway_trusts_every_address_web_can_have_and_no_other(self):
        compose = _compose()
        services, networks = compose["services"], compose["networks"]
        trusted = _networks(services["gateway"]["environment"]["GATEWAY_TRUSTED_PROXIES"])
        assert services["web"]["networks"] == ["web"]
        [web_net] = networks["web"]["ipam"]["config"]
        assert _within([ipaddress.ip_network(web_net["ip_range"])], trusted)
        # Not the bridge's own address (a published port's connections may come from it), nor
        # the network of the services and the published port.
        bridge = next(ipaddress.ip_network(web_net["subnet"]).hosts())
        assert not _within([ipaddress.ip_network(bridge)], trusted)
        [default_net] = networks["default"]["ipam"]["config"]
        assert not any(network.overlaps(ipaddress.ip_network(default_net["subnet"]))
                       for network in trusted)
        assert networks["web"]["internal"] is True

    def test_identity_trusts_the_gateway_alone(self):
        services = _compose()["services"]
        trusted = _networks(services["identity"]["environment"]["IDENTITY_TRUSTED_PROXIES"])
        gateway = services["gateway"]["networks"]["default"]["ipv4_address"]
        assert trusted == [ipaddress.ip_network(f"{gateway}/32")]
        # The static address is outside the range other containers are given.
        [default_net] = _compose()["networks"]["default"]["ipam"]["config"]
        assert ipaddress.ip_address(gateway) in ipaddress.ip_network(default_net["subnet"])
        assert ipaddress.ip_address(gateway) not in ipaddress.ip_network(default_net["ip_range"])


class TestKubernetes:
    def test_the_gateway_and_identity_trust_the_pod_network_web_and_the_gateway_run_in(self):
        [config] = [doc for doc in _k8s() if doc["kind"] == "ConfigMap"]
        loopback = [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")]
        for name in ("GATEWAY_TRUSTED_PROXIES", "IDENTITY_TRUSTED_PROXIES"):
            trusted = _networks(config["data"][name])
            assert trusted and not _within(trusted, loopback), name
