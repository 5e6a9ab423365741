"""Fixtures of the suites whose inputs the security tests attack, re-exported
(``import x as x``) so that pytest finds them here: the reliability tests'
``bare_workspace`` and ``extracted``, the review tests' ``review_ws``."""

from tests.reliability.conftest import bare_workspace as bare_workspace
from tests.reliability.conftest import extracted as extracted
from tests.review.conftest import review_ws as review_ws
