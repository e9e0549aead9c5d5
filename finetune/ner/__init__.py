"""Named entities: reading them from spreadsheets and turning them into model labels.

- finetune.ner.tags: tag schemes (BIO, IO, BIOES, BMES, bare types), token ranges and back;
- finetune.ner.layouts: the three spreadsheet layouts people have -> texts and character
  spans (`parse`), and spans -> the one-column entity list (`format_entities`).
"""
