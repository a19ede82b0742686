"""Template context every page shares."""
from . import freshness


def data_updating(request) -> dict:
    # The function itself, not its value: the template calls it when it renders the banner, so a
    # response that never reaches base.html (JSON, a file) pays nothing.
    return {"data_updating": freshness.updating}
