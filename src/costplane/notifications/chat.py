"""Chat payloads: Slack's Block Kit, a Microsoft Teams Adaptive Card, and plain JSON.

What a finding or a tenant says is data, never markup: Slack's `<!channel>` in a
namespace's name must not ping anyone, so `&`, `<` and `>` are escaped as Slack asks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from costplane.catalog import Channel
from costplane.notifications.event import Event

MAX_LISTED = 20
"""A digest lists this many events and counts the rest: chat messages have size limits."""


def payload(channel: Channel, events: Sequence[Event]) -> dict[str, Any]:
    if channel is Channel.SLACK:
        return slack_payload(events)
    if channel is Channel.TEAMS:
        return teams_payload(events)
    return webhook_payload(events)


def headline(events: Sequence[Event]) -> str:
    if len(events) == 1:
        return f"Costplane: {events[0].title}"
    return f"Costplane: {len(events)} events"


def amount_text(event: Event) -> str:
    if event.amount is None:
        return ""
    currency = f" {event.currency}" if event.currency else ""
    return f" ({event.amount:,.2f}{currency})"


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(events: Sequence[Event]) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": headline(events)[:150]}}
    ]
    for event in events[:MAX_LISTED]:
        line = f"*{slack_escape(event.title)}*{slack_escape(amount_text(event))}"
        body = f"[{event.severity.value}] {line}\n{slack_escape(event.text)}"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": body[:3000]}})
    if len(events) > MAX_LISTED:
        more = f"and {len(events) - MAX_LISTED} more"
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": more}]})
    return {"text": slack_escape(headline(events)), "blocks": blocks}


def teams_payload(events: Sequence[Event]) -> dict[str, Any]:
    """The message a Teams Workflows webhook ("post to a channel when a webhook request is
    received") takes: one Adaptive Card as an attachment."""
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": headline(events), "weight": "Bolder", "size": "Medium"}
    ]
    for event in events[:MAX_LISTED]:
        body.append(
            {
                "type": "TextBlock",
                "text": f"[{event.severity.value}] {event.title}{amount_text(event)}",
                "weight": "Bolder",
                "wrap": True,
            }
        )
        body.append({"type": "TextBlock", "text": event.text, "wrap": True})
    if len(events) > MAX_LISTED:
        body.append({"type": "TextBlock", "text": f"and {len(events) - MAX_LISTED} more"})
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


def webhook_payload(events: Sequence[Event]) -> dict[str, Any]:
    return {"source": "costplane", "events": [event_document(e) for e in events]}


def event_document(event: Event) -> dict[str, Any]:
    return {
        "kind": event.kind.value,
        "key": event.key,
        "severity": event.severity.value,
        "title": event.title,
        "text": event.text,
        "occurred_at": event.occurred_at.isoformat(),
        "tenant": event.tenant,
        "service_class": event.service_class,
        "amount": None if event.amount is None else format(event.amount, "f"),
        "currency": event.currency,
    }
