"""The primer's self-check quiz: questions and grading (pure), and an ipywidgets panel over them.

::

    quiz_panel(PRIMER_QUIZ)      # last cell of notebooks/00_primer.ipynb

Each question is a row of radio buttons with a Check button; checking shows whether the choice
is right and always explains why. The panel's handlers can be driven headless: set
``panel.questions[i].choices.value`` and call ``panel.questions[i].check()``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from sesops.errors import InputError


@dataclass(frozen=True)
class Question:
    prompt: str
    options: tuple[str, ...]
    answer: int  # index into options
    explanation: str  # why the answer is right, shown after every check

    def __post_init__(self) -> None:
        if len(self.options) < 2 or not 0 <= self.answer < len(self.options):
            raise InputError(f"question {self.prompt!r}: answer {self.answer} is not one of its options")

    @property
    def correct_option(self) -> str:
        return self.options[self.answer]


@dataclass(frozen=True)
class Verdict:
    correct: bool
    message: str  # one paragraph for the reader


def grade(question: Question, choice: str | None) -> Verdict:
    """Grade ``choice`` (an option's text, or None when nothing is picked yet)."""
    if choice is None:
        return Verdict(False, "Pick an answer first.")
    if choice not in question.options:
        raise InputError(f"{choice!r} is not an option of {question.prompt!r}")
    if choice == question.correct_option:
        return Verdict(True, f"Right. {question.explanation}")
    return Verdict(False, f"Not quite: the answer is “{question.correct_option}”. {question.explanation}")


def score(questions: tuple[Question, ...], choices: tuple[str | None, ...]) -> int:
    """How many ``choices`` (one per question, in order) are right."""
    if len(choices) != len(questions):
        raise InputError(f"{len(choices)} choices for {len(questions)} questions")
    return sum(grade(q, c).correct for q, c in zip(questions, choices, strict=True))


PRIMER_QUIZ: tuple[Question, ...] = (
    Question(
        "A Bounce has bounceType Permanent, bounceSubType General. What do you do with the address?",
        ("Retry tomorrow", "Suppress it at once", "Nothing: SES retries for you", "Wait for three of them"),
        1,
        "A Permanent (hard) bounce means the address does not exist or refuses mail for good; "
        "every further send counts against your bounce rate.",
    ),
    Question(
        "At which hard-bounce rate does SES put an account under review?",
        ("0.1 %", "2 %", "5 %", "10 %"),
        2,
        "Review starts at 5 %; at 10 % SES may pause sending. AWS advises staying under 2 %.",
    ),
    Question(
        "At which complaint rate does SES put an account under review?",
        ("0.1 %", "0.5 %", "1 %", "5 %"),
        0,
        "Review starts at 0.1 % (one complaint per thousand sends); at 0.5 % SES may pause sending.",
    ),
    Question(
        "Which feedback exists only through configuration-set event publishing, never as an "
        "identity notification?",
        ("Bounce", "Complaint", "Delivery", "DeliveryDelay"),
        3,
        "Identity notifications cover Bounce, Complaint and Delivery; delays (and Send, Open, Click, "
        "Reject, Rendering Failure, Subscription) are events of a configuration set.",
    ),
    Question(
        "An envelope for a topic in eu-west-1 carries this SigningCertURL. Which one may a receiver fetch?",
        (
            "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc123.pem",
            "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc123.pem",
            "http://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc123.pem",
            "https://sns.eu-west-1.amazonaws.com.example.net/SimpleNotificationService-abc123.pem",
        ),
        0,
        "Only https, exactly sns.<the topic's region>.amazonaws.com, and a SimpleNotificationService-"
        "<id>.pem path; anything else could hand you an attacker's certificate.",
    ),
    Question(
        "What does SignatureVersion 2 mean?",
        ("SHA1withRSA", "SHA256withRSA", "HMAC-SHA256 with your topic's key", "No signature"),
        1,
        "Version 1 signs with SHA1withRSA, version 2 with SHA256withRSA, over the same canonical "
        "string; set the topic's SignatureVersion attribute to 2.",
    ),
)


# -- the widget panel ------------------------------------------------------------------------


class QuestionPanel:
    """One question: radio buttons, a Check button and the verdict below them."""

    def __init__(self, number: int, question: Question) -> None:
        import ipywidgets as w

        self.question = question
        self.choices = w.RadioButtons(options=list(question.options), value=None, layout={"width": "auto"})
        self.button = w.Button(description="Check", button_style="primary")
        self.verdict = w.HTML()
        self.button.on_click(lambda _button: self.check())
        self.widget = w.VBox(
            [w.HTML(f"<b>{number}. {_escape(question.prompt)}</b>"), self.choices, self.button, self.verdict]
        )

    def check(self) -> Verdict:
        verdict = grade(self.question, self.choices.value)
        colour = "green" if verdict.correct else "#b35900"
        self.verdict.value = f'<span style="color:{colour}">{_escape(verdict.message)}</span>'
        return verdict


class QuizPanel:
    """Every question of a quiz, one under the other; display ``panel.widget`` (or the panel)."""

    def __init__(self, questions: tuple[Question, ...]) -> None:
        import ipywidgets as w

        self.questions = [QuestionPanel(n, q) for n, q in enumerate(questions, start=1)]
        self.widget = w.VBox([panel.widget for panel in self.questions])

    def score(self) -> int:
        return score(
            tuple(p.question for p in self.questions), tuple(p.choices.value for p in self.questions)
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


def quiz_panel(questions: tuple[Question, ...] = PRIMER_QUIZ) -> QuizPanel:
    return QuizPanel(questions)


def _escape(text: str) -> str:
    return html.escape(text, quote=False)
