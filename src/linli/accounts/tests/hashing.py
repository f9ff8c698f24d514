"""A cheap Argon2 for tests whose subject is not hashing (lockout, sessions, tokens, CSRF).

Production Argon2 takes 100 MB and a noticeable fraction of a second per hash by design; a test
that signs in ten times pays that ten times. This variant keeps the algorithm (hashes still start
with ``argon2``) and only lowers its cost. The tests of hashing itself use the real settings.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher


class CheapArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 256
    parallelism = 1


@pytest.fixture
def cheap_hashing(settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CheapArgon2PasswordHasher"]
