"""The bank of questions, answers, documents and instructions the demo's text comes from."""

from __future__ import annotations

from typing import NamedTuple


class QA(NamedTuple):
    """A user question and the answer the assistant gives."""

    question: str
    answer: str


class Document(NamedTuple):
    """A document the summariser is asked to condense, with the summary it produces."""

    title: str
    text: str
    summary: str


# Support chat for a SaaS shipping platform: short and long answers, so lengths vary.
SUPPORT_QA: tuple[QA, ...] = (
    QA("Hi!", "Hello! How can I help you with your account or shipments today?"),
    QA(
        "How do I reset my password?",
        "Open the sign-in page, choose 'Forgot password' and enter your work email. The reset "
        "link is valid for 30 minutes; if it does not arrive, check your spam folder.",
    ),
    QA(
        "Why was my card declined when I upgraded to the Business plan?",
        "The payment processor returned 'insufficient_funds' for the last attempt. You can retry "
        "with another card under Settings → Billing, or ask us to switch you to invoicing if you "
        "pay more than $500 a month.",
    ),
    QA(
        "Where is my order #48213? It was supposed to arrive yesterday.",
        "Order #48213 left the Rotterdam hub on Tuesday and is now with the local carrier. The "
        "carrier reports a one-day delay because of a customs check; the new delivery estimate is "
        "tomorrow before 18:00. I've added a note so you get an SMS when it is out for delivery.",
    ),
    QA(
        "Can I get a refund for a shipment that arrived damaged?",
        "Yes. Damaged shipments are refundable within 14 days of delivery. I have opened claim "
        "CLM-20931 for you; please upload two photos of the package and the damaged item. Refunds "
        "are paid to the original payment method within 5 business days of approval.",
    ),
    QA(
        "How do I add a teammate to my workspace?",
        "Go to Settings → Members and click 'Invite'. Admins can invite by email; invited people "
        "get the Viewer role until you change it.",
    ),
    QA(
        "Our API key stopped working this morning, requests return 401.",
        "The key ending in ...f3a9 was rotated at 07:12 UTC by another admin in your workspace. "
        "Create a new key under Developers → API keys and update your integration; old keys stop "
        "working immediately after rotation, so there is no grace period.",
    ),
    QA(
        "What are the rate limits on the shipments API?",
        "The Standard plan allows 100 requests per second per workspace with bursts up to 300. "
        "Responses include X-RateLimit-Remaining and, when you are throttled, a Retry-After "
        "header; back off for that many seconds before retrying.",
    ),
    QA(
        "Is single sign-on available?",
        "SAML single sign-on is included in the Business and Enterprise plans. You can configure "
        "Okta, Azure AD or Google Workspace under Settings → Security → SSO.",
    ),
    QA(
        "I was charged twice for March. Can you check?",
        "I can see two charges of $249.00 on 1 March: the second one is an authorisation hold "
        "from a failed retry and was voided the same day. It should disappear from your bank "
        "statement within 3 to 5 business days. No action is needed on your side.",
    ),
    QA(
        "How do I change the delivery address of a shipment that is already on its way?",
        "Address changes are possible until the parcel reaches the last-mile depot. Open the "
        "shipment, choose 'Redirect' and enter the new address; a redirection fee of $4.50 "
        "applies. If the option is greyed out, the parcel is already out for delivery.",
    ),
    QA(
        "Can you export all my invoices from last year as PDF?",
        "Sure. Under Settings → Billing → Invoices, filter by 2024 and click 'Download all'. You "
        "will get a ZIP file with one PDF per invoice; large exports are emailed to you instead.",
    ),
    QA("Thanks, that solved it.", "Great, glad it's sorted! Anything else I can help with?"),
    QA(
        "Why do my labels print with the wrong paper size?",
        "Your printer profile is set to A4 while the label template is 4x6 inches. In Settings "
        "→ Printing, pick the '4x6 thermal' profile, or change the template to 'A4, 2 labels per "
        "page'. Thermal printers usually also need the DPI set to 203.",
    ),
    QA(
        "How do I close my account and delete our data?",
        "An owner can close the workspace under Settings → Workspace → Danger zone. Data is "
        "deleted after a 30-day grace period, except invoices, which we must keep for 7 years "
        "for tax purposes. You can export everything before closing.",
    ),
)

# Developer-docs search: queries as people type them, answers grounded in the docs.
SEARCH_QA: tuple[QA, ...] = (
    QA(
        "webhook retries",
        "Webhooks are retried with exponential backoff for up to 24 hours: after 1 minute, then "
        "5, 30 and 120 minutes, then every 6 hours. A delivery counts as successful on any 2xx "
        "response within 10 seconds.",
    ),
    QA(
        "how to verify webhook signature",
        "Each webhook carries an X-Signature header: an HMAC-SHA256 of the raw body with your "
        "endpoint secret. Compute it over the exact bytes you received and compare in constant "
        "time; reject requests whose timestamp is more than 5 minutes old.",
    ),
    QA(
        "create shipment python example",
        "Install the SDK with `pip install shipfast`, then call `client.shipments.create(...)` "
        "with the origin, destination and parcel dimensions. The call returns the shipment id "
        "and the label URL.",
    ),
    QA(
        "pagination cursor",
        "List endpoints return at most 100 items and a `next_cursor`. Pass it as `cursor` to get "
        "the next page; a null cursor means you have reached the end.",
    ),
    QA(
        "idempotency key",
        "Send an Idempotency-Key header (any unique string up to 255 characters) on POST "
        "requests. Repeating a request with the same key within 24 hours returns the original "
        "response instead of creating a duplicate.",
    ),
    QA(
        "what does error 422 invalid_address mean",
        "422 invalid_address means the address validator could not match the destination to a "
        "deliverable address. The response's `details` field lists the failing components, "
        "usually the postal code or the street number.",
    ),
    QA(
        "customs documents for shipments to the UK",
        "Shipments from the EU to the UK need a commercial invoice and an HS code per item. Set "
        "`customs.contents_type` and add `customs.items`; the API generates the CN23 form and "
        "attaches it to the label automatically.",
    ),
    QA("sandbox base url", "The sandbox API lives at https://sandbox.api.shipfast.example/v2."),
    QA(
        "rate limit headers",
        "Every response includes X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset "
        "(epoch seconds). A 429 response adds Retry-After.",
    ),
    QA(
        "track parcel events streaming",
        "Subscribe to the `tracking.updated` webhook, or open a server-sent events stream at "
        "/v2/tracking/stream?shipment_id=…; events arrive within seconds of the carrier scan.",
    ),
    QA(
        "migrate from v1 to v2 api",
        "v2 renames `package` to `parcel`, returns amounts in minor units, and replaces page "
        "numbers with cursors. Both versions run side by side until 31 December; the migration "
        "guide lists every changed field and a compatibility shim for the Python SDK.",
    ),
    QA(
        "batch label generation",
        "POST up to 500 shipment ids to /v2/labels/batch. The job runs asynchronously; poll the "
        "returned job URL or wait for the `labels.batch_completed` webhook, then download one "
        "merged PDF.",
    ),
)

DOCUMENTS: tuple[Document, ...] = (
    Document(
        "Incident report: label service outage",
        "Between 09:12 and 09:47 UTC the label service returned HTTP 503 for 38% of requests. "
        "A configuration change reduced the connection pool of the PDF renderer from 64 to 8. "
        "Autoscaling added instances, but each new instance inherited the bad setting. The change "
        "was rolled back at 09:41 and error rates returned to normal six minutes later. About "
        "12,400 label requests failed; clients using idempotency keys retried safely.",
        "A pool-size misconfiguration caused 35 minutes of 503s on 38% of label requests; the "
        "rollback fixed it and about 12,400 requests failed.",
    ),
    Document(
        "Q3 customer feedback digest",
        "Customers praised faster label printing and the new tracking page. The most common "
        "complaints were confusing customs forms for UK shipments, slow refunds for damaged "
        "parcels, and missing Spanish translations in the dashboard. Enterprise accounts asked "
        "for SCIM provisioning and per-team spending limits.",
        "Feedback is positive on printing speed and tracking; pain points are UK customs forms, "
        "refund speed and Spanish translations; enterprises want SCIM and team budgets.",
    ),
    Document(
        "Carrier contract renewal notes",
        "The renewal with the regional carrier keeps base rates flat for twelve months but adds a "
        "2.5% fuel surcharge from April. Volume discounts start at 20,000 parcels a month instead "
        "of 25,000. The carrier commits to 97% on-time delivery, with credits if it falls below.",
        "Rates stay flat for a year with a 2.5% fuel surcharge from April, discounts start at "
        "20k parcels/month, and on-time delivery is guaranteed at 97%.",
    ),
    Document(
        "Weekly support ticket summary",
        "Ticket volume rose 14% week over week, driven by a carrier delay in the Benelux region. "
        "Median first response time was 41 minutes. Billing questions fell after the new invoice "
        "page launched. Three tickets were escalated to engineering about API 401 errors after "
        "key rotation.",
        "Tickets rose 14% due to Benelux carrier delays; first response median 41 min; billing "
        "questions fell; three API 401 escalations after key rotation.",
    ),
    Document(
        "Security review: API key handling",
        "Keys are stored hashed with a per-key salt and shown once at creation. The review found "
        "that rotated keys were still listed as active in the dashboard for up to five minutes "
        "because of a cache, and recommends scoping keys to environments and adding expiry dates.",
        "Key storage is sound; a cache shows rotated keys as active for up to five minutes; "
        "recommendations: environment-scoped keys and expiry dates.",
    ),
    Document(
        "Product spec: returns portal",
        "Merchants get a branded portal where their customers start a return, pick a reason and "
        "print a prepaid label. Merchants set rules per product category (return window, who pays "
        "shipping, whether photos are needed). Refunds are triggered when the carrier scans the "
        "return parcel. Launch is planned for the second quarter, behind a feature flag.",
        "A branded returns portal with per-category rules and refunds on carrier scan, launching "
        "next quarter behind a flag.",
    ),
    Document(
        "Meeting notes: pricing committee",
        "The committee agreed to keep the Starter plan free up to 50 labels a month, raise the "
        "Business plan from $229 to $249, and introduce usage-based pricing for API calls above "
        "one million per month. Existing annual contracts keep their price until renewal.",
        "Starter stays free to 50 labels, Business rises to $249, API calls above 1M/month become "
        "usage-priced; annual contracts keep prices until renewal.",
    ),
)

# Knowledge-base passages the retrieval step returns (id, text).
KB_PASSAGES: tuple[tuple[str, str], ...] = (
    ("kb-billing-014", "Declined payments are retried three times over five days."),
    ("kb-billing-022", "Authorisation holds from failed retries are voided within 24 hours."),
    ("kb-account-003", "Password reset links expire after 30 minutes."),
    ("kb-account-011", "Invited members receive the Viewer role by default."),
    ("kb-api-007", "Rotated API keys stop working immediately; there is no grace period."),
    ("kb-api-019", "The Standard plan allows 100 requests per second with bursts to 300."),
    ("kb-ship-031", "Redirection is possible until the parcel reaches the last-mile depot."),
    ("kb-ship-044", "Damaged shipments can be claimed within 14 days of delivery."),
    ("kb-ship-052", "EU to UK shipments need a commercial invoice and HS codes."),
    ("docs-webhooks-02", "Webhooks are retried with exponential backoff for up to 24 hours."),
    ("docs-webhooks-05", "The X-Signature header is an HMAC-SHA256 of the raw request body."),
    ("docs-api-pagination", "List endpoints return a next_cursor; null means the last page."),
    ("docs-api-idempotency", "Idempotency keys are remembered for 24 hours."),
    ("docs-labels-batch", "Batch label jobs accept up to 500 shipment ids."),
)

# The summariser puts its instruction in the user message, so it sends no system instructions.
SYSTEM_INSTRUCTIONS: dict[str, str] = {
    "support-bot": (
        "You are ShipFast's support assistant. Be concise and friendly. Use the tools to look up "
        "orders, accounts and tickets; never invent order details. If you cannot help, offer to "
        "create a ticket."
    ),
    "search-api": (
        "Answer developer questions using only the documentation passages provided. Cite the "
        "passage ids in brackets. If the passages do not contain the answer, say so."
    ),
}
