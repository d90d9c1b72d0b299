"""create-user and create-token from the command line."""

from sqlalchemy import select

from samverkan.auth import services
from samverkan.auth.models import User
from samverkan.core.db import db


def test_create_user_then_token_then_use_it(world, ctx, client):
    runner = ctx.test_cli_runner()
    result = runner.invoke(args=[
        "create-user", "--epost", "Kim.Exempel@example.org", "--namn", "Kim Exempel",
        "--forbund", "TST", "--part", "Arbetsförmedlingen Testbygd", "--losenord", "ett-langt-losenord",
    ])
    assert result.exit_code == 0, result.output
    user = db.session.execute(select(User).where(User.epost == "kim.exempel@example.org")).scalar_one()
    assert user.part.namn == "Arbetsförmedlingen Testbygd"
    assert services.authenticate("kim.exempel@example.org", "ett-langt-losenord", "127.0.0.1") == user

    result = runner.invoke(args=["create-token", "--epost", "kim.exempel@example.org", "--namn", "test"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    response = client.get("/api/v1/teams", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200


def test_create_user_refuses_short_password_and_duplicates(world, ctx):
    runner = ctx.test_cli_runner()
    base = ["create-user", "--namn", "Kim Exempel", "--forbund", "TST"]
    result = runner.invoke(args=[*base, "--epost", "kim@example.org", "--losenord", "kort"])
    assert result.exit_code != 0 and "minst 12 tecken" in result.output
    result = runner.invoke(args=[*base, "--epost", world.users["admin"].epost, "--losenord", "ett-langt-losenord"])
    assert result.exit_code != 0 and "finns redan" in result.output
