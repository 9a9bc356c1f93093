"""Durability: spans acknowledged by a process killed with SIGKILL are all there on reopen."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlalchemy import text

from llmobs_store.store import Store

# The child acknowledges batches as fast as it can and reports each acknowledged span id
# only after store.write() returned, i.e. after its commit.
CHILD = textwrap.dedent(
    """
    import sys
    from tests.factories import make_span
    from llmobs_store.store import Store

    store = Store.open(sys.argv[1])
    print("ready", flush=True)
    while True:
        batch = [make_span() for _ in range(50)]
        store.write(batch)
        print(" ".join(s.span_id for s in batch), flush=True)
    """
)
ACKNOWLEDGED_BATCHES = 40


def test_sigkill_after_acknowledgement_loses_nothing(database_url: str) -> None:
    root = Path(__file__).resolve().parents[2]
    acknowledged: set[str] = set()
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, database_url],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(root)},
    ) as child:
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
            for _ in range(ACKNOWLEDGED_BATCHES):
                acknowledged.update(child.stdout.readline().split())
            # Kill mid-flight: the child is writing its next batch right now.
            os.kill(child.pid, signal.SIGKILL)
        finally:
            child.kill()
            child.wait(10)
    assert child.returncode == -signal.SIGKILL
    assert len(acknowledged) == ACKNOWLEDGED_BATCHES * 50

    with Store.open(database_url) as store, store.connect() as conn:
        stored = {row[0] for row in conn.execute(text("SELECT span_id FROM spans"))}
        num_traces = conn.execute(text("SELECT count(*) FROM traces")).scalar_one()
    missing = acknowledged - stored
    assert not missing, f"{len(missing)} acknowledged spans lost"
    # Whatever was committed beyond the acknowledgements is whole: summaries match spans.
    assert num_traces == len(stored)
