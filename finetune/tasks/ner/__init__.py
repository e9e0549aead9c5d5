"""Named entities, the whole task in one package:

- finetune.tasks.ner.task: the task itself (NerTask) and its targets (Annotated);
- finetune.tasks.ner.tags: tag schemes (BIO, IO, BIOES, BMES, bare types), token ranges and back;
- finetune.tasks.ner.layouts: the three spreadsheet layouts people have -> texts and character
  spans (`parse`), and spans -> the one-column entity list (`format_entities`);
- finetune.tasks.ner.align: names to word pieces and back; scores, the name dictionary
  candidate, the data report's section (health) and the column guess (suggest).
"""

from finetune.tasks.ner.task import Annotated, NerExamples, NerTask

__all__ = ["Annotated", "NerExamples", "NerTask"]
