"""``python -m llmobs_store`` runs the ``llmobs`` command line."""

from llmobs_store.cli import main

main()
