from samverkan.core.db import db
from tests import factories


def test_world_and_login(world, login):
    client = login(world.users["ledamot_af"])
    arende = factories.create_arende(world)
    db.session.commit()
    response = client.get("/arenden/")
    assert response.status_code == 200
    assert arende.referens in response.get_data(as_text=True)
