# English words, Indonesian conventions (the brief: Indonesian formats in both languages):
# day before month, 24-hour WIB time, 1.234.567,89.
from pendopo.formats.id.formats import *  # noqa: F403
