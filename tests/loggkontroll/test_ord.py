"""Every audit action and object type the code records has Swedish words on the review
page: read from the source, so a new ``audit.record`` without a label fails here."""

from __future__ import annotations

import re
from pathlib import Path

import samverkan
from samverkan.kallelser.models import UtskickTyp
from samverkan.loggkontroll.handlingar import HANDLINGAR, OBJEKTTYPER

KALLA = {p: p.read_text() for p in Path(samverkan.__file__).parent.rglob("*.py")}
ALLT = "\n".join(KALLA.values())


def test_every_recorded_action_has_swedish_words():
    koder = set(re.findall(r'audit\.record(?:_many|_apart)?\(\s*"([a-z_.]+)"', ALLT))
    koder |= set(re.findall(r'handling(?:: str)?\s*=\s*"([a-z_]+\.[a-z_.]+)"', ALLT))  # read audits named by callers
    koder |= {f"utskick.{t.value}" for t in UtskickTyp}  # f"utskick.{typ.value}"
    koder |= {f"mote.dagordning.{h}" for h in re.findall(r'_agenda_andrad\(.*?"([a-z_]+)", \[', ALLT)}
    assert len(koder) > 50
    assert sorted(koder - HANDLINGAR.keys()) == []


def test_every_recorded_object_type_has_swedish_words():
    typer = set(re.findall(r'audit\.record(?:_many|_apart)?\(\s*f?"[^"]+",\s*"([a-z_]+)"', ALLT))
    assert len(typer) > 10
    assert sorted(typer - OBJEKTTYPER.keys()) == []
