from __future__ import annotations

import pytest

from tests.factories import OrganisationAdministratorFactory
from tests.second_factor import login_as


@pytest.fixture
def org_admin(db):
    return OrganisationAdministratorFactory(full_name="所属 管理者", caseworker=False)


@pytest.fixture
def org_client(client, org_admin):
    login_as(client, org_admin)
    return client
