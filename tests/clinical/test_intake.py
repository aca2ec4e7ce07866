"""The history form: every field of the model has a question and every option a label, in both languages."""

import tomllib
import typing

import pytest
from pydantic import ValidationError

from backcoach.clinical.instruments import INSTRUMENTS_DIR
from backcoach.clinical.intake import History, Intake, LegSymptoms, Work

FORM = tomllib.loads((INSTRUMENTS_DIR / "history.toml").read_text(encoding="utf-8"))


def literal_values(annotation) -> set[str]:
    """Every Literal value inside an annotation (list[Literal[...]], Literal | None, ...)."""
    if typing.get_origin(annotation) is typing.Literal:
        return set(typing.get_args(annotation))
    return set().union(*(literal_values(a) for a in typing.get_args(annotation))) if typing.get_args(annotation) else set()


@pytest.mark.parametrize("model, section", [(History, "questions"), (LegSymptoms, "leg_questions"),
                                            (Work, "work_questions")])
def test_every_field_has_a_question_in_both_languages(model, section):
    questions = FORM[section]
    assert set(questions) == set(model.model_fields)
    for name, question in questions.items():
        assert question["en"] and question["zh-Hans"], name


@pytest.mark.parametrize("model", [History, LegSymptoms, Work])
def test_every_option_has_labels(model):
    for name, field in model.model_fields.items():
        for value in literal_values(field.annotation):
            label = FORM["options"].get(value)
            assert label and label["en"] and label["zh-Hans"], (name, value)


def test_leg_neuro_definition():
    assert LegSymptoms(pain_area="below_knee").leg_neuro
    assert LegSymptoms(numbness=True).leg_neuro
    assert not LegSymptoms(pain_area="thigh").leg_neuro


def test_unknown_field_and_out_of_range_values_are_refused_with_their_path():
    with pytest.raises(ValidationError, match=r"history\.stress_link"):
        Intake.model_validate({"patient": {"age": 40}, "history": {"stress_link": 12}})
    with pytest.raises(ValidationError, match=r"history\.legs\.left\.pain_area"):
        Intake.model_validate({"patient": {"age": 40}, "history": {"legs": {"left": {"pain_area": "knee"}}}})
    with pytest.raises(ValidationError, match=r"history\.aggravatin"):
        Intake.model_validate({"patient": {"age": 40}, "history": {"aggravatin": []}})
