"""The floor: the cheapest request Flask can answer, served the same way as the app.

A view that returns a string, with no hooks, no session, no database. Every page is
measured beside it under the same gunicorn configuration, so the table says how much of
what the machine can do a page takes, not how it compares with another page of ours.
"""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def golv() -> str:
    return "ok"
