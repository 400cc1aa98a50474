"""The language model's client: the one module that talks to an OpenAI-compatible server, through ``openai``.

Any server that speaks OpenAI's chat completions API will do (OpenAI, Ollama, vLLM, llama.cpp's server). The
rest of the CMS reaches it through :mod:`episodes.services.suggestions`, never directly. The key is held in
:class:`Config` only (left out of its repr) and wiped from any message a server sends back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import openai

from .format.suggesting import estimate_tokens

BACKOFF = 1.0  # seconds before the first retry; doubled at each next one
ERR_DOWN = "cannot reach the model's server at {url}: is it running? ({detail})"
ERR_TIMEOUT = "the model's server at {url} did not answer within {timeout:g} s (AI_TIMEOUT)"
ERR_BUSY = "the model's server answered {status} {tries} time(s) in a row: {detail}"
ERR_KEY = "the model's server refused the key ({status}): check AI_API_KEY"
ERR_REFUSED = "the model's server refused the request ({status}): {detail}"
ERR_NO_CHOICE = "the model's server answered with no text"


@dataclass(frozen=True)
class Config:
    """Where the model is and how long to wait for it (the key is never shown)."""

    base_url: str
    model: str
    api_key: str = field(default="", repr=False)
    timeout: float = 60.0
    retries: int = 3


@dataclass(frozen=True)
class Reply:
    """The model's answer and what it cost in tokens (estimated when the server does not say)."""

    text: str
    input_tokens: int
    output_tokens: int
    model: str


class ModelError(Exception):
    """A request that did not get an answer; the message is for the editor (and never holds the key)."""


_clients: dict[tuple, openai.OpenAI] = {}


def _client(config: Config) -> openai.OpenAI:
    key = (config.base_url, config.api_key, config.timeout)
    client = _clients.get(key)
    if client is None:
        # Retries are ours (backoff, a count the editor is told); local servers need no key but openai wants one.
        client = openai.OpenAI(
            base_url=config.base_url, api_key=config.api_key or "none", timeout=config.timeout, max_retries=0
        )
        _clients.clear()  # one configuration at a time: a changed setting drops the old connection pool
        _clients[key] = client
    return client


def complete(config: Config, messages: list[dict], *, sleep: Callable[[float], None] = time.sleep) -> Reply:
    """Ask the model; retry a 429 or 5xx answer with backoff; raise ModelError when no answer comes."""
    client = _client(config)
    tries = 0
    while True:
        tries += 1
        try:
            response = client.chat.completions.create(model=config.model, messages=messages)
        except openai.APITimeoutError:
            raise ModelError(ERR_TIMEOUT.format(url=config.base_url, timeout=config.timeout)) from None
        except openai.APIConnectionError as exc:
            detail = _clean(str(exc.__cause__ or exc), config)
            raise ModelError(ERR_DOWN.format(url=config.base_url, detail=detail)) from None
        except openai.APIStatusError as exc:
            status = exc.status_code
            if status == 429 or status >= 500:
                if tries <= config.retries:
                    sleep(BACKOFF * 2 ** (tries - 1))
                    continue
                raise ModelError(ERR_BUSY.format(status=status, tries=tries, detail=_detail(exc, config))) from None
            if status in (401, 403):
                raise ModelError(ERR_KEY.format(status=status)) from None
            raise ModelError(ERR_REFUSED.format(status=status, detail=_detail(exc, config))) from None
        except (openai.OpenAIError, ValueError) as exc:  # an answer that is not a chat completion (or not JSON)
            detail = _clean(str(exc), config)
            raise ModelError(ERR_REFUSED.format(status="not a chat completion", detail=detail)) from None
        return _reply(response, messages, config)


def _reply(response, messages: list[dict], config: Config) -> Reply:
    choices = getattr(response, "choices", None) or []
    if not choices:
        raise ModelError(ERR_NO_CHOICE)
    message = getattr(choices[0], "message", None)
    text = getattr(message, "content", None) or ""
    usage = getattr(response, "usage", None)
    input_tokens = getattr(usage, "prompt_tokens", None)
    output_tokens = getattr(usage, "completion_tokens", None)
    if not isinstance(input_tokens, int):
        input_tokens = sum(estimate_tokens(m["content"]) for m in messages)
    if not isinstance(output_tokens, int):
        output_tokens = estimate_tokens(text)
    return Reply(text, input_tokens, output_tokens, getattr(response, "model", None) or config.model)


def _detail(exc: openai.APIStatusError, config: Config) -> str:
    return _clean(str(getattr(exc, "message", "") or exc), config)[:300]


def _clean(text: str, config: Config) -> str:
    """Return a server's message without the key (some servers quote the key they refused)."""
    if config.api_key:
        text = text.replace(config.api_key, "[key]")
        if len(config.api_key) > 8:
            text = text.replace(config.api_key[:8], "[key]")
    return text
