"""The downloads of a LoRA model (finetune/lora.py): the merged model, which
transformers.pipeline() loads like any model (the model page's "Download the model"), and the
adapter alone, a few megabytes that peft loads on top of the base model.

Both go through sharing.leaving_files, like every model zip: the spreadsheet's rows stay home.
"""

import tempfile
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.utils.text import slugify

from finetune import lora, rundir
from finetune.modeling import load_trained
from webapp.accounts.access import get_for_user
from webapp.catalog.models import TrainedModel
from webapp.catalog.sharing import leaving_files
from webapp.runs.downloads import temp_download, zip_folder


def merged_download(model: TrainedModel) -> FileResponse:
    """The model with its adapter merged into the base weights, as a zip."""
    folder = slugify(model.name) or "model"

    def write(path: Path) -> None:
        with tempfile.TemporaryDirectory(prefix="labeltune-merged-") as work:
            merged, _, info = load_trained(model.run_dir, "cpu")
            made = lora.write_merged_folder(model.run_dir, Path(work) / folder, merged,
                                            rundir.base_model_name(info["base_model"]))  # fmt: skip
            zip_folder(path, leaving_files(made), folder)

    return temp_download(write, ".zip", f"{folder}.zip")


@login_required
def model_download_adapter(request, uuid):
    """The run folder as it is (adapter, head, config, tokenizer), for peft; 404 for a model
    that was fully fine-tuned."""
    model = get_for_user(request.user, TrainedModel, uuid)
    if not lora.is_adapter_folder(model.run_dir):
        raise Http404
    folder = f"{slugify(model.name) or 'model'}-adapter"
    files = leaving_files(model.run_dir)
    return temp_download(lambda path: zip_folder(path, files, folder), ".zip", f"{folder}.zip")
