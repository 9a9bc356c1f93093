"""The allocator settings apply on glibc and are skipped quietly elsewhere."""

from __future__ import annotations

import platform
import sys

import pytest

from llmobs_store.ingest.allocator import tune_allocator


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
    reason="mallopt is glibc's",
)
def test_the_settings_apply_on_glibc() -> None:
    assert tune_allocator() is True
    assert tune_allocator() is True  # idempotent: every store of the process applies them
