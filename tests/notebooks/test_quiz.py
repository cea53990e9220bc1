"""The primer's quiz: grading, answers that agree with the code, and the panel driven headless."""

from __future__ import annotations

import pytest

from sesops.analysis.rates import Thresholds
from sesops.errors import InputError, InvalidCertURL
from sesops.notebook.quiz import PRIMER_QUIZ, Question, grade, quiz_panel, score
from sesops.sns.verify import check_cert_url

COLOURS = Question("Which is a colour?", ("red", "seven"), 0, "Red is a colour; seven is a number.")


@pytest.mark.parametrize(
    ("choice", "correct", "message"),
    [
        ("red", True, "Right. Red is a colour; seven is a number."),
        ("seven", False, "Not quite: the answer is “red”. Red is a colour; seven is a number."),
        (None, False, "Pick an answer first."),
    ],
)
def test_grade(choice: str | None, correct: bool, message: str) -> None:
    verdict = grade(COLOURS, choice)
    assert (verdict.correct, verdict.message) == (correct, message)


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: grade(COLOURS, "blue"), r"'blue' is not an option of 'Which is a colour\?'"),
        (lambda: Question("Q?", ("a", "b"), 2, "why"), r"question 'Q\?': answer 2 is not one of its options"),
        (lambda: Question("Q?", ("a",), 0, "why"), r"answer 0 is not one of its options"),
        (lambda: score((COLOURS,), ()), r"0 choices for 1 questions"),
    ],
)
def test_refusals(build: object, match: str) -> None:
    with pytest.raises(InputError, match=match):
        build()  # type: ignore[operator]


def test_score_counts_right_answers() -> None:
    assert score((COLOURS, COLOURS), ("red", "seven")) == 1


def _question(word: str) -> Question:
    return next(q for q in PRIMER_QUIZ if word in q.prompt)


def test_threshold_answers_match_the_code() -> None:
    levels = Thresholds()
    assert _question("hard-bounce rate").correct_option == f"{levels.bounce_review:.0%}".replace("%", " %")
    assert _question("complaint rate").correct_option == f"{levels.complaint_review:.1%}".replace("%", " %")
    assert "10 %" in _question("hard-bounce rate").explanation and levels.bounce_pause == 0.10
    assert "0.5 %" in _question("complaint rate").explanation and levels.complaint_pause == 0.005


def test_cert_url_answer_is_the_only_url_the_verifier_accepts() -> None:
    question = _question("SigningCertURL")
    topic = "arn:aws:sns:eu-west-1:123456789012:ses-feedback"
    check_cert_url(question.correct_option, topic)
    for option in question.options:
        if option != question.correct_option:
            with pytest.raises(InvalidCertURL):
                check_cert_url(option, topic)


def test_every_primer_question_explains_itself() -> None:
    assert len(PRIMER_QUIZ) >= 5
    for question in PRIMER_QUIZ:
        assert len(set(question.options)) == len(question.options), question.prompt
        assert question.explanation.endswith("."), question.prompt


def test_panel_checks_a_choice_headless() -> None:
    panel = quiz_panel()
    first = panel.questions[0]
    assert first.choices.value is None and first.verdict.value == ""
    first.button.click()  # nothing picked yet
    assert "Pick an answer first." in first.verdict.value
    first.choices.value = first.question.options[0]  # wrong
    assert first.check().correct is False
    assert "Not quite" in first.verdict.value and "#b35900" in first.verdict.value
    first.choices.value = first.question.correct_option
    first.button.click()
    assert "Right." in first.verdict.value and "green" in first.verdict.value
    assert panel.score() == 1
    for question in panel.questions:
        question.choices.value = question.question.correct_option
    assert panel.score() == len(PRIMER_QUIZ)
    assert "application/vnd.jupyter.widget-view+json" in panel._repr_mimebundle_()
