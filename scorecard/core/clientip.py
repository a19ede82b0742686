"""The address a request came from, behind the reverse proxies the deployment trusts (issue #15).

Behind nginx → gunicorn on 127.0.0.1 every request's REMOTE_ADDR is the proxy's: the lockout
(django-axes locks on username + address) then locked a user for everyone, and the audit log
recorded the proxy. ``X-Forwarded-For`` names the client, but anyone can send one: it is read only
when REMOTE_ADDR is a trusted proxy (settings.TRUSTED_PROXIES, addresses or networks, from the
environment), and then from the right — each trusted proxy appends the address it got the request
from — taking the first address that is not a trusted proxy. Whatever a client wrote further left
is never used. With no trusted proxies (the default) the header is ignored.

The one function for django-axes (settings.AXES_CLIENT_IP_CALLABLE) and the audit log.
"""
import functools
import ipaddress

from django.conf import settings


@functools.cache
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _address(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return address is not None and any(address in net for net in networks)


def client_ip(request) -> str | None:
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if not networks or not _trusted(_address(remote or ""), networks):
        return remote
    chain = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for part in reversed(chain):
        address = _address(part)
        if address is None:
            break  # garbage where a trusted proxy should have written an address: fall back to the proxy
        if not _trusted(address, networks):
            return str(address)
    return remote
