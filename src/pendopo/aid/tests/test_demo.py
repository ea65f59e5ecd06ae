"""The demo's aid data: holders, a second officer and village proposals screened for real."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from pendopo.aid.models import Holding, Proposal
from pendopo.core.models import User
from pendopo.core.testing import Personas

pytestmark = pytest.mark.django_db


def test_demo_aid_makes_holders_and_proposals_with_every_decision(population: None, personas: Personas) -> None:
    assert personas.village_operator.username == "operator.kembiritan"  # the demo's operator of the demo village
    call_command("demo_aid")
    assert Holding.objects.count() > 10 and User.objects.filter(username="dinsos.verifikator", role="dinsos").exists()
    decisions = set(Proposal.objects.values_list("decision", flat=True))
    assert Proposal.objects.count() == 36 and decisions == {"accept", "reject", "review"}
    reasons = {code for p in Proposal.objects.all() for code in p.reasons}
    assert {"COVERED", "NIK_INVALID"} & reasons and Proposal.objects.filter(decision="review").count() >= 3
    assert all(p.explanation_text for p in Proposal.objects.all())
    call_command("demo_aid")  # again: nothing added
    assert Proposal.objects.count() == 36
