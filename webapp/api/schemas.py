"""The shapes of the API's requests and answers; the OpenAPI document is generated from them."""

from datetime import datetime
from uuid import UUID

from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict

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


class Entity(BaseModel):
    """One name found in a text by a named-entity model."""

    type: str = Field(description="Its type, as in the training spreadsheet (PER, LOC...).")
    text: str = Field(description="The name as it is written in the input.")
    start: int = Field(description="Where it starts in the input, in characters from 0.")
    end: int = Field(description="Where it ends (the character after its last one).")
    confidence: float = Field(description="How sure the model is, from 0 to 1.")


class Prediction(BaseModel):  # not ninja's Schema: that one keeps only declared fields
    """One answer per input. Its fields depend on the model's task, exactly as on the model
    page: single-label gives label, confidence and scores; multi-label the labels above
    threshold with scores; regression a value; named entities the entities found. A field
    the task does not give is left out of the answer (the predict operation drops unset
    fields)."""

    model_config = ConfigDict(extra="allow")

    label: str | None = Field(None, description="Single-label: the label given.")
    confidence: float | None = Field(None, description="Single-label: how sure, 0 to 1.")
    labels: list[str] | None = Field(None, description="Multi-label: the labels given.")
    scores: dict[str, float] | None = Field(
        None, description="Classification: each label's score, 0 to 1."
    )
    value: float | None = Field(None, description="Regression: the number predicted.")
    entities: list[Entity] | None = Field(
        None,
        description="Named entities: each name found in the text, in reading order, with "
        "its character offsets (Chinese text counts one character each).",
    )


class PredictOut(Schema):
    model: UUID
    task: str
    answered_by: str = Field(
        description='What answered: "model" (the fine-tuned model), or a simpler model that '
        'did better on the validation rows and so answers for it ("tfidf": words or characters '
        'weighed by TF-IDF; "dictionary": the names seen in training; "embeddings": the '
        "base model's sentence embeddings read by a simple classifier), in the same format."
    )
    predictions: list[Prediction] = Field(
        description="One object per input, in order; its fields depend on the task."
    )


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
