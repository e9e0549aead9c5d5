"""The shapes of the API's requests and answers; the OpenAPI document is generated from them.

A prediction's answer has one shape per task: each registered task gives the shape of one of
its answers (Task.prediction_schema), and `predict_out()` joins them into one union told apart
by "task", so the document says exactly what each task answers.
"""

from datetime import datetime
from typing import Annotated, Literal, Union
from uuid import UUID

from ninja import Field, Schema
from pydantic import create_model

from finetune.tasks import TASKS
from finetune.tasks.pages import schema_name

MAX_INPUTS = 1000  # per predict call; more answers 413


class TextPair(Schema):
    text: str = Field(description="The first text.")
    text_pair: str | None = Field(
        None, description="The second text, for models trained on pairs of texts."
    )


class PredictIn(Schema):
    inputs: list[str | TextPair] = Field(
        min_length=1,
        max_length=MAX_INPUTS,
        description="Up to 1,000 texts (more answer 413). A model whose takes_pairs is true "
        "takes objects with text and text_pair instead, a text_pair in every one; any other "
        "model refuses a text_pair (400).",
        examples=[["Great product, arrived early.", "Broke after two days."]],
    )
    version: int | None = Field(
        None,
        ge=1,
        description="Which version of the model answers (1, 2...; see GET "
        "/models/{uuid}/versions). Left out: the current version, the one Try it uses.",
    )


class PredictOut(Schema):
    model: UUID
    version: int = Field(description="The version of the model that answered.")
    task: str
    answered_by: str = Field(
        description='What answered: "model" (the fine-tuned model), or a simpler model that '
        'did better on the validation rows and so answers for it ("tfidf": words or characters '
        'weighed by TF-IDF; "dictionary": the names seen in training; "embeddings": the '
        'base model\'s sentence embeddings read by a simple classifier; "embeddings_tuned": '
        "the same after the base model learned from pairs of the sheet's rows), in the same "
        "format."
    )
    predictions: list[dict] = Field(description="One answer per input, in order.")


def predict_out():
    """PredictOut for every registered task: one model per task, whose `task` is its name and
    whose predictions have its answer's shape, joined into a union told apart by `task`."""
    shapes = tuple(
        create_model(
            schema_name(task, "Answer"),
            __base__=PredictOut,
            __doc__=f"The answer of a model that does this: {task.description}",
            task=(Literal[task.name], Field(description=f"{task.title}.")),
            predictions=(
                list[task.prediction_schema()],
                Field(description="One answer per input, in order."),
            ),
        )
        for task in TASKS.values()
    )
    if len(shapes) == 1:
        return shapes[0]
    return Annotated[Union[shapes], Field(discriminator="task")]  # noqa: UP007 (a tuple of types)


class ModelOut(Schema):
    uuid: UUID
    name: str
    description: str
    task: str
    published: bool
    labels: list[str]
    takes_pairs: bool
    created: datetime
    predict_url: str
    version: int = Field(description="The current version: the one that answers by default.")


class VersionOut(Schema):
    number: int = Field(description="1 is the run the model was made from; improving adds more.")
    current: bool = Field(description="Whether this version answers when no version is asked for.")
    created: datetime
    made_current: datetime | None = Field(description="The last time it was made current.")
    made_current_by: str | None = Field(description="Who made it current then.")
    run: UUID = Field(description="The training run of this version.")
    figures: dict[str, float] = Field(
        description="Its test figures from the training run (test_accuracy, test_macro_f1...), "
        "each on this version's own test rows."
    )


class BatchOut(Schema):
    uuid: UUID
    model: UUID
    status: str = Field(description="queued, running, finished, failed or canceled.")
    message: str = Field(description="Why it failed, in a plain sentence; empty otherwise.")
    rows: int
    created: datetime
    finished: datetime | None
    download_url: str | None = Field(description="Where to fetch the scored file once finished.")


class Error(Schema):
    detail: str = Field(description="What went wrong, in a plain sentence.")
