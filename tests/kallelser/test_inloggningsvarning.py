"""The warning to an account's owner about failed logins goes through the outbox and
the scheduler's delivery like any other message (issue 18, point 2)."""

from __future__ import annotations

from tests import factories


def test_the_owner_gets_the_warning_by_mail(world, client, app, smtp, kor):
    user = world.users["ledamot_af"]
    epost = user.epost
    for i in range(app.config["LOGIN_THROTTLE_PER_ACCOUNT"]):
        client.post("/logga-in", data={"epost": epost, "losenord": "fel-losenord-123"},
                    environ_base={"REMOTE_ADDR": f"203.0.113.{i + 1}"})
    assert client.post("/logga-in", data={"epost": epost, "losenord": factories.PASSWORD},
                       environ_base={"REMOTE_ADDR": "203.0.113.99"}).status_code == 429

    assert kor(bara="leverera")["skickade"] == 1
    (brev,) = smtp.mottagna
    assert brev.rcpt_tos == [epost]
    text = "\n".join(brev.delar())
    assert "misslyckade inloggningsförsök" in text and "/logga-in/las-upp/" in text
    assert "203.0.113" not in text
    assert brev.meddelande.get_content_type() == "multipart/alternative"  # no calendar part
