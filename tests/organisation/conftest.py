from __future__ import annotations

import pytest

from tests.factories import OrganisationAdministratorFactory


@pytest.fixture
def org_admin(db):
    return OrganisationAdministratorFactory(full_name="所属 管理者", caseworker=False)


@pytest.fixture
def org_client(client, org_admin):
    client.force_login(org_admin)
    return client
