"""The MQTT side of an agent: topics, the link, and the `EdgeRuntime` agents are built on."""

from edge.mqtt.client import Backoff, LinkError, parse_broker_url
from edge.mqtt.link import Link, birth_message
from edge.mqtt.runtime import EdgeRuntime
from edge.mqtt.topics import UP_WILDCARD, Topic, down_topic, parse_topic, up_topic

__all__ = [
    "UP_WILDCARD",
    "Backoff",
    "EdgeRuntime",
    "Link",
    "LinkError",
    "Topic",
    "birth_message",
    "down_topic",
    "parse_broker_url",
    "parse_topic",
    "up_topic",
]
