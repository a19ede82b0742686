# The same ISO dates and 24-hour times as in English (see formats/en/formats.py).
from scorecard.core.formats.en.formats import *  # noqa: F401,F403
