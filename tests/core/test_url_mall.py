"""``web.url_mall``: the per-row links of a page built once give the URL ``url_for`` gives."""

from __future__ import annotations

import pytest
from flask import render_template_string, request, url_for

from samverkan.web import url_mall


# "%25": a "%" in the prefix, which the pattern must keep as it is
@pytest.mark.parametrize("prefix", ["", "/samverkan", "/sam%25verkan"])
def test_samma_url_som_url_for(app, prefix):
    with app.test_request_context("/", base_url=f"http://example.org{prefix}"):
        arende = url_mall("arenden.visa", "arende_id")
        flytta = url_mall("moten.flytta", "punkt_id", mote_id=7)
        for id_ in (1, 42, 918_273_645_501, 10**15):
            assert arende % id_ == url_for("arenden.visa", arende_id=id_)
            assert flytta % id_ == url_for("moten.flytta", mote_id=7, punkt_id=id_)
        assert (arende % 3).startswith(f"{request.script_root}/arenden/")


def test_utan_luckans_plats_url_for_per_id(app):
    """Where the id's place cannot be told (another value holds the gap's number), the
    pattern asks ``url_for`` for each id."""
    with app.test_request_context("/"):
        flytta = url_mall("moten.flytta", "punkt_id", mote_id=918_273_645_501)
        assert flytta % 5 == url_for("moten.flytta", mote_id=918_273_645_501, punkt_id=5)


def test_mallens_lank_som_url_for(app):
    with app.test_request_context("/"):
        html = render_template_string(
            "{% set u = url_mall('moten.ta_bort', 'punkt_id', mote_id=3) %}{{ u % 5 }}|"
            "{{ url_for('moten.ta_bort', mote_id=3, punkt_id=5) }}")
    forsta, andra = html.split("|")
    assert forsta == andra


def test_mallarnas_csrf_token_ar_formularets(app):
    """The templates' ``csrf_token()`` is the one token of the request (``g``), whichever
    of Flask-WTF's and ours the template reaches."""
    with app.test_request_context("/"):
        forsta, andra = render_template_string("{{ csrf_token() }}|{{ csrf_token() }}").split("|")
        assert forsta == andra and forsta
