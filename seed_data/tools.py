"""The support bot's function tools: their definitions, argument and result values, and timing."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Tool:
    """A function the agent can call, with how long it usually takes."""

    name: str
    description: str
    median_s: float
    make_arguments: Callable[[random.Random], dict[str, Any]]
    make_result: Callable[[random.Random, dict[str, Any]], dict[str, Any]]


def _order_id(rng: random.Random) -> str:
    return f"#{rng.randint(40_000, 59_999)}"


TOOLS: tuple[Tool, ...] = (
    Tool(
        "lookup_order",
        "Status, carrier and delivery estimate of an order.",
        0.12,
        lambda rng: {"order_id": _order_id(rng)},
        lambda rng, args: {
            "order_id": args["order_id"],
            "status": rng.choice(("in_transit", "delivered", "delayed", "label_created")),
            "carrier": rng.choice(("DHL", "UPS", "PostNL", "DPD")),
            "eta_days": rng.randint(0, 4),
        },
    ),
    Tool(
        "get_account",
        "Plan, billing status and members of the caller's workspace.",
        0.08,
        lambda rng: {"include": rng.choice((["plan"], ["plan", "billing"], ["members"]))},
        lambda rng, args: {
            "plan": rng.choice(("starter", "business", "enterprise")),
            "billing_status": rng.choice(("active", "active", "past_due")),
            "members": rng.randint(1, 40),
        },
    ),
    Tool(
        "search_kb",
        "Full-text search over the help-centre articles.",
        0.2,
        lambda rng: {"query": rng.choice(("refund damaged", "api key rotation", "sso setup"))},
        lambda rng, args: {"hits": [f"kb-{rng.randint(1, 60):03d}" for _ in range(3)]},
    ),
    Tool(
        "create_ticket",
        "Open a support ticket for a human agent.",
        0.35,
        lambda rng: {
            "priority": rng.choice(("low", "normal", "high")),
            "summary": rng.choice(("Refund request", "Delivery delay", "Billing question")),
        },
        lambda rng, args: {"ticket_id": f"TCK-{rng.randint(10_000, 99_999)}", "created": True},
    ),
    Tool(
        "refund_order",
        "Refund an order to the original payment method.",
        0.5,
        lambda rng: {"order_id": _order_id(rng), "reason": "damaged"},
        lambda rng, args: {"order_id": args["order_id"], "refund_status": "pending_approval"},
    ),
)

TOOL_DEFINITIONS = json.dumps(
    [
        {"type": "function", "name": t.name, "description": t.description, "parameters": {}}
        for t in TOOLS
    ]
)
