"""Page responses more than one app gives."""
import datetime as dt

from django.shortcuts import render

from .months import label, no_data_message


def no_data(request, *, month: dt.date, title: str, latest: dt.date | None):
    """404 «该月没有数据» for a page asked for a month without any data (issue #17): the month, a
    picker, and a link to ``latest`` (the latest month with data), never the month's empty figures."""
    return render(request, "no_data.html", {
        "title": title, "month_label": label(month), "message": no_data_message(month),
        "latest_label": label(latest) if latest and latest != month else "",
    }, status=404)
