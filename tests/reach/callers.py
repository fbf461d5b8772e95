"""Who asks reach, as test headers, and what no answer may contain."""

from tests.reach import network

WINDOW = {"network_id": network.NETWORK, "from": network.START, "to": network.END}


def admin_of_network(keys):
    return keys.headers(roles={network.NETWORK: ["network_admin"]})


def partner(keys, networks=(network.NETWORK,)):
    return keys.headers(kind="partner", org="partner-org", networks=list(networks),
                        sub="apikey:k1", person_id=None)


def assert_no_personal_data(body) -> None:
    text = str(body)
    for pid in network.PEOPLE:
        assert f"'{pid}'" not in text
